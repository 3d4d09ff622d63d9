-- `ebmforge doc`: docs/dsl.md, the reference of the model-file language.
-- Options come from opts.registry, the tables opts.check validates model
-- files with, so the reference cannot drift from what is accepted. Functions
-- (ops, layers, nets) get their signature and one line here; render() fails
-- on any public function or option without a description.
local opts = require "opts"
local M = {}

-- ebm.* ops: signature and meaning. Internal helpers are listed in `internal`.
local ops = {
  {"Variables and inputs", {
    {"param", "ebm.param(name, shape, init)", "a trainable parameter; init: number, {\"uniform\", lo, hi} or {\"normal\", mean, std}; ebm.param(name, number, ...) is ebm.hparam"},
    {"hparam", "ebm.hparam(name, default[, desc[, {lo, hi}]])", "a run-time hyper-parameter: a scalar the trainer sets with `train --set name=value` (docs/parameters.md)"},
    {"count", "ebm.count(name, default[, max[, desc]])", "a run-time trip count for loop(): a whole number in [1, max] set with `train --set name=K`; the loop is built for max"},
    {"buffer", "ebm.buffer(name, shape, init)", "a non-trained variable kept in checkpoints (running statistics, EMA)"},
    {"state", "ebm.state(name, shape, init)", "a variable phases assign to (sampler chains, entry inputs and outputs)"},
    {"const", "ebm.const(v[, shape])", "a constant: a number, or a list of values with their shape"},
    {"data", "ebm.data(shape)", "a batch of data rows [B, D] (the same rows everywhere in one step)"},
    {"uniform", "ebm.uniform(shape)", "U[0, 1) draws from Philox4x32-10 (counter: index, stream, loop iteration, step)"},
    {"normal", "ebm.normal(shape)", "N(0, 1) draws (Box-Muller on Philox pairs)"},
    {"step", "ebm.step()", "the training step t as a scalar (schedules)"},
  }},
  {"Elementwise (numpy broadcasting; also x + y, x - y, x * y, x / y, -x, x ^ p)", {
    {"add", "ebm.add(a, b)", "a + b"}, {"sub", "ebm.sub(a, b)", "a - b"}, {"mul", "ebm.mul(a, b)", "a * b"},
    {"div", "ebm.div(a, b)", "a / b"}, {"neg", "ebm.neg(x)", "-x"},
    {"pow", "ebm.pow(x, p)", "x^p: repeated products for integer p in 1..16 (exact), else exp(p log x)"},
    {"exp", "ebm.exp(x)", "e^x"}, {"log", "ebm.log(x)", "natural logarithm"}, {"log1p", "ebm.log1p(x)", "log(1 + x), exact near 0"},
    {"sin", "ebm.sin(x)", "sine"}, {"cos", "ebm.cos(x)", "cosine"}, {"tanh", "ebm.tanh(x)", "hyperbolic tangent"},
    {"sigmoid", "ebm.sigmoid(x)", "1 / (1 + e^-x)"}, {"sqrt", "ebm.sqrt(x)", "square root"},
    {"abs", "ebm.abs(x)", "|x|"}, {"sign", "ebm.sign(x)", "-1, 0 or 1 (gradient 0)"},
    {"square", "ebm.square(x)", "x * x"},
    {"relu", "ebm.relu(x)", "max(x, 0)"}, {"leaky_relu", "ebm.leaky_relu(x, slope)", "x for x > 0, slope x otherwise"},
    {"silu", "ebm.silu(x)", "x sigmoid(x)"}, {"softplus", "ebm.softplus(x)", "log(1 + e^x), computed without overflow"},
    {"gt", "ebm.gt(a, b)", "1 where a > b, else 0 (gradient 0)"}, {"ge", "ebm.ge(a, b)", "1 where a >= b"},
    {"lt", "ebm.lt(a, b)", "1 where a < b"}, {"le", "ebm.le(a, b)", "1 where a <= b"}, {"eq", "ebm.eq(a, b)", "1 where a == b"},
    {"select", "ebm.select(c, a, b)", "a where c != 0, else b (gradients flow to the chosen side)"},
    {"maximum", "ebm.maximum(a, b)", "elementwise max"}, {"minimum", "ebm.minimum(a, b)", "elementwise min"},
    {"clamp", "ebm.clamp(x, lo, hi)", "min(max(x, lo), hi)"},
    {"stop_gradient", "ebm.stop_gradient(x)", "x, with no derivative flowing through it"},
  }},
  {"Reductions (axes: nil = all, an integer or a list; 1-based, negative from the end)", {
    {"sum", "ebm.sum(x[, axes[, keepdims]])", "sum over axes (a fixed, column-wise order: trainers and interpreter agree bit for bit)"},
    {"mean", "ebm.mean(x[, axes[, keepdims]])", "mean over axes"},
    {"max", "ebm.max(x[, axes[, keepdims]])", "maximum over axes (gradient to the first maximum)"},
    {"logsumexp", "ebm.logsumexp(x[, axes[, keepdims]])", "log sum exp over axes, the maximum subtracted first"},
  }},
  {"Shapes and linear algebra", {
    {"reshape", "ebm.reshape(x, shape)", "the same elements in a new shape (row-major)"},
    {"broadcast", "ebm.broadcast(x, shape)", "x repeated along size-1 axes to shape"},
    {"transpose", "ebm.transpose(x, perm)", "axes permuted: perm is a 1-based list"},
    {"slice", "ebm.slice(x, axis, start, len)", "len entries from start (1-based) along axis"},
    {"concat", "ebm.concat({x, y, ...}, axis)", "tensors joined along axis"},
    {"matmul", "ebm.matmul(a, b[, ta[, tb]])", "a b of 2-D tensors; ta, tb transpose a or b"},
    {"conv2d", "ebm.conv2d(x, w, stride, padding)", "2-D convolution of NCHW x with w [cout, cin, k, k] (PyTorch layout)"},
    {"conv_transpose2d", "ebm.conv_transpose2d(x, w, stride, padding, output_padding)",
     "transposed convolution, w [cin, cout, k, k] (PyTorch layout)"},
  }},
  {"Derivatives (compose to any order)", {
    {"grad", "ebm.grad(y, xs)", "gradient of the scalar y with respect to a tensor or a list of tensors"},
    {"vjp", "ebm.vjp(outs, wrt, cts)", "vector-Jacobian products: cotangents cts of outs pulled back to wrt"},
    {"jvp", "ebm.jvp(ins, tangents, outs)", "Jacobian-vector products: tangents of ins pushed forward to outs"},
  }},
  {"Inside a phase", {
    {"current", "ebm.current(v)", "the latest value assigned to variable v in the running phase"},
    {"assign", "ebm.assign(v, value)", "v <- value at the end of the running phase (as p:set)"},
  }},
  {"Inspection", {
    {"shape", "ebm.shape(x)", "the shape as a list (also x.shape)"}, {"numel", "ebm.numel(x)", "number of elements"},
    {"is_tensor", "ebm.is_tensor(v)", "whether v is a tensor"},
    {"var_info", "ebm.var_info(t)", "name and kind (param, buffer, state) of a variable, or nil"},
    {"datasets", "ebm.datasets()", "the names of the toy data sets"},
  }},
}
local internal = {id = true, set_data = true, npy_data = true}   -- used by the prelude only

local layers = {
  {"linear", "nn.linear(nin, nout[, opts])", "y = x W^T + b, W [nout, nin]; PyTorch's initialisation U(+-1/sqrt(nin))"},
  {"conv2d", "nn.conv2d(cin, cout, k[, opts])", "2-D convolution on [N, cin, H, W]; weight [cout, cin, k, k]"},
  {"conv_transpose2d", "nn.conv_transpose2d(cin, cout, k[, opts])", "transposed convolution; output (H-1) stride - 2 padding + k + output_padding"},
  {"avg_pool2d", "nn.avg_pool2d(k)", "average over k x k windows, stride k"},
  {"prelu", "nn.prelu([opts])", "max(x, 0) + a min(x, 0) with one learnable slope a"},
  {"relu", "nn.relu()", "max(x, 0)"}, {"leaky_relu", "nn.leaky_relu([opts])", "x for x > 0, slope x otherwise"},
  {"tanh", "nn.tanh()", "tanh"}, {"sigmoid", "nn.sigmoid()", "logistic sigmoid"},
  {"softplus", "nn.softplus()", "log(1 + e^x)"}, {"silu", "nn.silu()", "x sigmoid(x)"},
  {"batchnorm", "nn.batchnorm(n[, opts])", "BatchNorm over the batch of [B, n]: train mode uses batch statistics and updates the running ones, \"eval\" uses the running ones, \"batch\" batch statistics without updating"},
  {"batchnorm2d", "nn.batchnorm2d(c[, opts])", "BatchNorm per channel of [N, c, H, W], modes as nn.batchnorm"},
  {"reshape", "nn.reshape(shape)", "a reshape layer; -1 keeps the batch size"},
  {"seq", "nn.seq({layer, ...})", "layers in order; its params are theirs"},
  {"act", "nn.act(kind[, opts])", "an activation layer by name (prelu, relu, leaky_relu, tanh, sigmoid, softplus, silu)"},
  {"module", "nn.module(params, forward)", "a layer from a parameter list and forward(x, mode)"},
}

local nets = {
  {"toy_energy", "E(x) -> [B]: Linear(D,w)-act-Linear(w,w)-act-Linear(w,1), times a learnable gain"},
  {"toy_generator", "G(z) -> [B, D]: Linear(d,w)-PReLU-BN-Linear(w,w)-PReLU-BN-Linear(w,D)"},
  {"toy_encoder", "q(z | x) for bound (b): Linear(D,w)-PReLU-Linear(w,w)-PReLU-Linear(w,2d) -> (mu, log-variance)"},
  {"image_energy", "SNGAN-style convolutional energy on [B, C*S*S] rows (7 convs, then a linear head)"},
  {"image_generator", "DCGAN generator: Linear -> [8b, 4, 4] -> three ConvT-BN-ReLU -> Conv3x3 -> Tanh, 32x32 pictures"},
  {"fmnist_classifier", "the FD-FMNIST classifier on 28x28 rows: two conv-ReLU-maxpool blocks, Linear(3136,128)-ReLU-Linear(128,10)"},
  {"ddaebm_energy", "f(x, emb) -> [B], DDAEBM's time-conditioned toy energy (no BatchNorm)"},
  {"ddaebm_generator", "G(x_n, z, emb, mode) -> x^_0 [B, 2], DDAEBM's toy generator"},
  {"ddaebm_encoder", "q(x_c, x_n, emb, mode) -> mu, log-variance: DDAEBM's toy posterior encoder"},
  {"ddaebm_image_energy", "f(x, emb): the image energy trunk with a per-channel time bias after each conv"},
  {"ddaebm_image_generator", "U-Net G(x_n, z, emb) with FiLM from the time MLP and PixelNorm(z), Tanh output"},
  {"ddaebm_image_encoder", "q(x_c, x_n, emb): four convs with a per-channel time bias, 4x4 heads for mu and log-variance"},
  {"time_embedding", "nets.time_embedding(k, dim): the sinusoidal embedding [sin(k w), cos(k w)] of a level column k [B, 1]"},
}

-- what each method is, and the entries (on-demand phases) its trainers run
local methods = {
  ["mle-langevin"] = {"maximum likelihood against a K-step Langevin sampler from noise", {"sample", "energy"}},
  ["mle-gd"] = {"maximum likelihood against the deterministic sampler (eta = 0)", {"sample", "energy", "induced"}},
  ["bb-sv-gp"] = {"bidirectional bounds: lower bound (a), upper bound (c)", {"sample", "energy", "bounds"}},
  ["bb-mi-gp"] = {"bidirectional bounds: lower bound (b), upper bound (c)", {"sample", "energy", "bounds"}},
  ["ebm-0gp"] = {"lower bound (a) against a zero-centred gradient penalty on data", {"sample", "energy", "bounds"}},
  ["ebm-lb"] = {"lower bound (a) alone (one-sided)", {"sample", "energy", "bounds"}},
  ddaebm = {"diffusion-assisted EBM: per-step conditional EBMs and generators", {"sample", "energy", "energy_k", "chain_bounds"}},
  ["bb-sv-diff"] = {"per-step bounds (a) and (d) on the diffusion chain", {"sample", "energy", "energy_k", "chain_bounds"}},
  ["bb-mi-diff"] = {"per-step bounds (b) and (d) on the diffusion chain", {"sample", "energy", "energy_k", "chain_bounds"}},
  classifier = {"a cross-entropy classifier (behind FD-FMNIST)", {"logits", "features"}},
  custom = {"the model file writes its own step with build(cfg)", {"whatever build declares"}},
}

local entries = {
  {"sample", "a batch of samples (the generator, the sampler, or the diffusion chain): `train-cpu sample`"},
  {"energy", "energies of a chunk of points: `train-cpu energy`, eval's grid"},
  {"bounds", "per-draw log-weights (lower, upper, sign det J) and the draw x, for eval's log Z sandwich (2-D latent and data)"},
  {"induced", "mle-gd: the density the deterministic sampler induces (change of variables), for eval"},
  {"energy_k", "-f(x, k) at rows (x1, x2, k): eval's quadrature of each step's log Z"},
  {"chain_bounds", "per test point a forward trajectory and per step the estimates A_k <= log Z <= C_k"},
  {"logits", "the classifier's logits of a chunk of pictures: eval's accuracy"},
  {"features", "the classifier's 128-d features: `fd`"},
}

local program = {
  {"model{...}", "the one declaration of a model file: the options below"},
  {"sweep{axis = {v1, v2, ...}, ...}", "before model{}: one trainer per combination; returns the current one (e.g. s.width)"},
  {"phase(name, function(p) ... end)", "a part of the step evaluated once per step, in order"},
  {"p:minimize(loss, params, opt)", "one optimiser step on params (one per phase)"},
  {"p:set(state, value)", "state <- value at the end of the phase"},
  {"p:log(name, scalar)", "a term written to log.jsonl and shown by the progress bar"},
  {"loop(K, function() ... end)", "the phases inside repeat K times (samplers, power iterations); loops nest at most "
    .. ebm._max_loop_depth .. " deep; K a number or an ebm.count"},
  {"entry(name, {input = s, output = s}, function() ... end)", "phases run on demand by the trainer's commands, not every step"},
  {"adam{...}", "an optimiser (PyTorch's Adam); options below"},
}

local function fmt_value(v)
  if v == nil then return "" end
  if type(v) == "table" then
    if v.kind == "net" then return "nets." .. v.net .. "{}" end
    local keys, arr = {}, #v > 0
    if arr then
      for _, x in ipairs(v) do table.insert(keys, fmt_value(x)) end
      return "{" .. table.concat(keys, ", ") .. "}"
    end
    for k in pairs(v) do table.insert(keys, k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do table.insert(parts, k .. " = " .. fmt_value(v[k])) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  if type(v) == "string" then return '"' .. v .. '"' end
  return tostring(v)
end

local missing = {}
local sorted = opts.sorted_keys

-- rows of an option table: name | type | default | meaning (+ one_of, range)
local function option_rows(out, spec, what, skip)
  local keys = {}
  for k in pairs(spec) do if not (skip and skip[k]) then table.insert(keys, k) end end
  table.sort(keys)
  if #keys == 0 then table.insert(out, "No options.\n") return end
  table.insert(out, "| option | type | default | meaning |")
  table.insert(out, "|---|---|---|---|")
  for _, k in ipairs(keys) do
    local s = spec[k]
    if not s.desc or s.desc == "" then table.insert(missing, what .. "." .. k) end
    local meaning = s.desc or ""
    if s.one_of then meaning = meaning .. " (one of: " .. table.concat(s.one_of, ", ") .. ")" end
    if s.min or s.max or s.integer then meaning = meaning .. "; " .. opts.describe(s) end
    if s.items and (s.items.min or s.items.max) then meaning = meaning .. "; each " .. opts.describe(s.items) end
    if s.fields then
      local parts = {}
      for _, f in ipairs(sorted(s.fields)) do
        local fs = s.fields[f]
        if not fs.desc or fs.desc == "" then table.insert(missing, what .. "." .. k .. "." .. f) end
        table.insert(parts, ("`%s`: %s"):format(f, (fs.desc or "") .. ((fs.min or fs.max) and ", " .. opts.describe(fs) or "")))
      end
      meaning = meaning .. "; fields " .. table.concat(parts, "; ")
    end
    local default = s.required and "required" or (s.default ~= nil and "`" .. fmt_value(s.default) .. "`" or "")
    table.insert(out, ("| `%s` | %s | %s | %s |"):format(k, s.type or "any", default, (meaning:gsub("|", "\\|"))))
  end
  table.insert(out, "")
end


-- After a model file ran: every option it gave, and whether each has a description.
function M.check_used()
  local n, bad, seen = 0, {}, {}
  for _, u in ipairs(opts.used) do
    local key = u[1] .. "." .. u[2]
    if not seen[key] then
      seen[key] = true
      n = n + 1
      if not u[3].desc or u[3].desc == "" then table.insert(bad, key) end
    end
  end
  if #bad > 0 then error("options without a description: " .. table.concat(bad, ", "), 0) end
  return n
end

function M.render()
  missing = {}
  local out = {}
  local function w(s) table.insert(out, s) end
  w("# Model-file reference")
  w("")
  w("Generated by `ebmforge doc` (`ebmforge doc -o docs/dsl.md`) from the option tables")
  w("that validate model files: do not edit by hand; `tests/dsl_doc.sh` fails when this")
  w("file and the command's output differ. What the methods compute: docs/methods.md;")
  w("a first model step by step: README.md. An option left out takes its default; where")
  w("the default column is empty the method picks one (the meaning says which).")
  w("")
  w("## The step program")
  w("")
  w("| form | meaning |")
  w("|---|---|")
  for _, r in ipairs(program) do w(("| `%s` | %s |"):format(r[1]:gsub("|", "\\|"), r[2])) end
  w("")
  w("## model{...}")
  w("")
  w("Options every method takes:")
  w("")
  local common = opts.registry["model"]
  option_rows(out, common, "model")
  w("Data sets: " .. table.concat(ebm.datasets(), ", ") .. " (toy, 2-D); fashion-mnist[:DIR], mnist:DIR,")
  w("cifar10:DIR (pictures, padded to 32x32). `train --data X.npy` takes a float32 [N, D] array.")
  w("")
  w("## Methods")
  w("")
  for _, name in ipairs(sorted(opts.methods)) do
    local mod = require(opts.methods[name])
    local info = methods[name]
    if not info then table.insert(missing, "method " .. name) info = {"", {}} end
    w("### `" .. name .. "`")
    w("")
    w(info[1] .. (mod.default_iters and (". Default iterations: " .. mod.default_iters .. ".") or "."))
    w("Entries: " .. table.concat(info[2], ", ") .. ".")
    w("")
    local spec = mod.options_for and mod.options_for(name) or mod.options
    option_rows(out, spec, name, common)
  end
  w("## Entries")
  w("")
  w("| entry | what the trainer uses it for |")
  w("|---|---|")
  for _, e in ipairs(entries) do w(("| `%s` | %s |"):format(e[1], e[2])) end
  w("")
  w("## Optimiser: adam{...}")
  w("")
  option_rows(out, opts.registry["adam"], "adam")
  w("## Networks (nets.*)")
  w("")
  w("A net is a recipe: `energy = nets.toy_energy{width = 64}` in model{}; the method builds it.")
  w("")
  local net_desc = {}
  for _, n in ipairs(nets) do net_desc[n[1]] = n[2] end
  for _, name in ipairs(sorted(_G.nets)) do
    if not net_desc[name] then table.insert(missing, "nets." .. name) end
    w("### `nets." .. name .. "`")
    w("")
    w(net_desc[name] or "")
    w("")
    local spec = opts.registry["nets." .. name]
    if spec then option_rows(out, spec, "nets." .. name) end
  end
  w("## Layers (nn.*)")
  w("")
  w("A layer is called as `layer(x[, mode])`, mode \"train\" (default), \"eval\" or \"batch\";")
  w("`layer.params` lists its parameters. Initialisation follows PyTorch's defaults.")
  w("")
  local layer_doc = {}
  for _, l in ipairs(layers) do layer_doc[l[1]] = l end
  for _, name in ipairs(sorted(_G.nn)) do
    local l = layer_doc[name]
    if not l then table.insert(missing, "nn." .. name) l = {name, "nn." .. name, ""} end
    w("### `" .. l[2] .. "`")
    w("")
    w(l[3])
    w("")
    local spec = opts.registry["nn." .. name]
    if spec and next(spec) then option_rows(out, spec, "nn." .. name) end
  end
  w("## Tensor ops (ebm.*)")
  w("")
  w("Tensors have static shapes; `x:op(...)` calls `ebm.op(x, ...)`.")
  w("")
  local seen = {}
  for _, group in ipairs(ops) do
    w("### " .. group[1])
    w("")
    w("| op | meaning |")
    w("|---|---|")
    for _, op in ipairs(group[2]) do
      seen[op[1]] = true
      w(("| `%s` | %s |"):format(op[2], op[3]))
    end
    w("")
  end
  for _, name in ipairs(sorted(ebm)) do
    if type(ebm[name]) == "function" and name:sub(1, 1) ~= "_" and not internal[name] and not seen[name] then
      table.insert(missing, "ebm." .. name)
    end
  end
  for what, spec in pairs(opts.registry) do
    for k, s in pairs(spec) do
      if not s.desc or s.desc == "" then table.insert(missing, what .. "." .. k) end
    end
  end
  if #missing > 0 then
    table.sort(missing)
    local uniq = {}
    for i, m in ipairs(missing) do if m ~= missing[i - 1] then table.insert(uniq, m) end end
    error("no description for: " .. table.concat(uniq, ", ") .. " (add it where the option or function is declared)", 0)
  end
  return table.concat(out, "\n") .. "\n"
end

return M
