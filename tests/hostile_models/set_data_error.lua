-- Hostile: ebm.set_data freed the old name before checking its argument (double free).
-- expect: bad argument #1 to 'set_data'
ebm.set_data("25gaussians")
ebm.set_data({}) --< error
