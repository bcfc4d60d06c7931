-- Line wrapping of the generated C (generator/emit/wrap.lua).
local wrap = require("emit.wrap")

local function squeeze(s) return (s:gsub("%s+", " ")) end

local function joined(lines)
  local parts = {}
  for i, line in ipairs(lines) do parts[i] = line:gsub("^%s+", "") end
  return table.concat(parts, " ")
end

describe("wrap", function()
  local taps = {}
  for v = 0, 11 do taps[#taps + 1] = string.format("a[0][%d] += wc[5] * v%d;", v, v) end
  local sequence = table.concat(taps, " ")

  it("leaves a short line as it is", function()
    assert.are.same({ "    x = 1;" }, wrap.lines("    ", "x = 1;"))
  end)

  it("breaks statements apart within the limit, keeping their indentation and every token", function()
    local lines = wrap.lines("        ", sequence)
    assert.is_true(#lines > 1)
    for _, line in ipairs(lines) do
      assert.is_true(#line <= wrap.LIMIT)
      assert.are.equal("        a", line:sub(1, 9))
    end
    assert.are.equal(squeeze(sequence), squeeze(joined(lines)))
  end)

  it("breaks a call between arguments, never inside a string literal", function()
    local literal = '"' .. ("x, y; "):rep(30) .. '"'
    local call = "printf(" .. literal .. ", alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota, kappa, lambda);"
    local lines = wrap.lines("", call)
    assert.is_truthy(lines[1]:find(literal, 1, true))
    assert.are.equal(squeeze(call), squeeze(joined(lines)))
  end)

  it("continues a long comment under its start", function()
    local comment = "/* " .. ("word "):rep(40) .. "*/"
    local lines = wrap.lines("    ", comment)
    assert.is_true(#lines > 1)
    assert.are.equal("     * ", lines[2]:sub(1, 7))
    assert.is_truthy(lines[#lines]:find("%*/$"))
  end)

  it("leaves preprocessor lines whole", function()
    local pragma = "#pragma omp parallel for " .. ("schedule(static) "):rep(10)
    assert.are.same({ pragma }, wrap.lines("", pragma))
  end)
end)
