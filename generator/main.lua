-- nncc generator: lua5.4 generator/main.lua SPEC.lua [options]
--   --out DIR        write NAME.h, NAME.c (and NAME_main.c) into DIR (default generated/NAME)
--   --dtype T        float (default) or double (used by the gradient checks)
--   --summary        print the model summary and write nothing
--   --layers         print the layers as JSON (for the PyTorch reference scripts)
--   --profile        time every layer call (for make bench PROFILE=1; not for committed code)
--   --infer CKPT     write the inference library NAME_infer.c/.h with CKPT's weights instead
--                    (default --out build/NAME/infer; generator/infer/)
--   --weights-file   with --infer: the weights in NAME.weights, loaded at run time
local script_dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = script_dir .. "/?.lua;" .. script_dir .. "/?/init.lua;" .. package.path

local errors = require("errors")
local dsl = require("dsl")
local graph = require("graph")
local lr_rules = require("lr_rules")
local summary = require("summary")
local fuse = require("fuse")
local plan = require("plan")
local emit = require("emit.model")
local describe = require("emit.describe")

local USAGE = "usage: lua5.4 generator/main.lua SPEC.lua [--out DIR] [--dtype float|double] [--summary] [--layers] [--profile] [--infer CKPT [--weights-file]]"

local function parse_args(argv)
  local opts = { dtype = "float" }
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--out" or a == "--dtype" or a == "--infer" then
      if not argv[i + 1] then errors.fail("%s needs a value\n%s", a, USAGE) end
      opts[a:sub(3)] = argv[i + 1]
      i = i + 1
    elseif a == "--summary" or a == "--layers" or a == "--profile" then
      opts[a:sub(3)] = true
    elseif a == "--weights-file" then
      opts.weights_file = true
    elseif a:sub(1, 1) == "-" then
      errors.fail("unknown option %s\n%s", a, USAGE)
    elseif opts.spec then
      errors.fail("one spec at a time, got %s and %s", opts.spec, a)
    else
      opts.spec = a
    end
    i = i + 1
  end
  if not opts.spec then errors.fail("%s", USAGE) end
  if opts.weights_file and not opts.infer then errors.fail("--weights-file goes with --infer CKPT") end
  if opts.dtype ~= "float" and opts.dtype ~= "double" then
    errors.fail("--dtype must be float or double, got %s", opts.dtype)
  end
  return opts
end

-- Write to a temporary name and rename, so a failed run leaves the old files.
local function write_files(dir, files)
  local ok = os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'")
  if not ok then errors.fail("%s: cannot create the output directory", dir) end
  for _, f in ipairs(files) do
    local path = dir .. "/" .. f[1]
    local tmp = path .. ".tmp"
    local handle, err = io.open(tmp, "w")
    if not handle then errors.fail("%s", err) end
    handle:write(f[2])
    handle:close()
    local renamed, rename_err = os.rename(tmp, path)
    if not renamed then errors.fail("%s", rename_err) end
  end
end

local function run(argv)
  local opts = parse_args(argv)
  local spec_path = opts.spec:sub(1, 1) == "/" and opts.spec:match("[^/]*$") or opts.spec
  local default_name = opts.spec:match("([^/]*)%.lua$") or opts.spec:match("[^/]*$")
  local net = dsl.load(opts.spec)
  net.line = net.line or 0
  local settings = graph.settings(net, spec_path, default_name)
  local nodes, last = graph.build(net, spec_path, settings)
  local loss = graph.loss(last, nodes, settings, spec_path, net)
  lr_rules.check(settings.lr_rules, nodes, spec_path, net.line)
  if opts.infer then
    -- the evaluation forward is exported from the spec's layers, before the trainer's fusion
    write_files(opts.out or ("build/" .. settings.name .. "/infer"), require("infer.export").run({ nodes = nodes,
      spec_path = spec_path, name = settings.name, ckpt_path = opts.infer, weights_file = opts.weights_file }))
    return
  end
  -- the summary and the layer list show the spec's layers, as they were before fusion
  local lines = summary.lines(nodes, loss, settings)
  local layers = opts.layers and describe.json(nodes, loss, settings)
  nodes = fuse.run(nodes, loss)
  local layout = plan.run(nodes, loss, settings)
  if opts.summary then
    print(table.concat(lines, "\n"))
    return
  end
  if layers then
    io.write(layers)
    return
  end
  local files = emit.generate({ nodes = nodes, loss = loss, settings = settings, layout = layout, summary_lines = lines,
    spec_path = spec_path, dtype = opts.dtype, profile = opts.profile })
  write_files(opts.out or ("generated/" .. settings.name), files)
end

local ok, err = xpcall(run, function(e)
  if errors.is_user_error(e) then return e end
  return debug.traceback("nncc internal error (a generator bug, please report): " .. tostring(e), 2)
end, arg)
if not ok then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
