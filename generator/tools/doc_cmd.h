/* `ebmforge doc`: docs/dsl.md, the reference of the model-file language,
 * written from the same option tables that validate model files
 * (generator/lua/opts.lua's registry; the rendering is generator/lua/doc.lua). */
#ifndef EBM_DOC_CMD_H
#define EBM_DOC_CMD_H

/* argv: the arguments after `doc`. 0, 1 (I/O error or an undocumented name)
 * or 2 (bad arguments). */
int cmd_doc(int argc, char **argv);

#endif
