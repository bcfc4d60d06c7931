/* libFuzzer harness of the spec loader and every pass of the generator, in
 * an embedded Lua 5.4 (tests/lua/pipeline.lua's generate, the passes
 * generator/main.lua runs): the input is a spec's text, which must give C or
 * a user error of one line (generator/errors.lua); a Lua error of the
 * generator itself is a crash. The Lua library is not instrumented, so the
 * generator's lines reach libFuzzer as extra counters, from a line hook.
 * Runs from the repository root, where generator/ and tests/lua/ are. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LINE_SLOTS (1 << 16)

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t lines_run[LINE_SLOTS];

/* The line hook: counts the (chunk, line) pair the running function is at. */
static int count_line(lua_State *L)
{
    lua_Debug ar;
    if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "S", &ar)) return 0;
    uint32_t h = 2166136261u; /* FNV-1a of the chunk's name, mixed with the line */
    for (const char *c = ar.source; *c; ++c) h = (h ^ (uint8_t)*c) * 16777619u;
    h ^= (uint32_t)luaL_checkinteger(L, 2) * 2654435761u;
    lines_run[h % LINE_SLOTS]++;
    return 0;
}

/* The function the harness calls with the spec's text: nil, or what went
 * wrong. The budget (generator/budget.lua) sets its own hook while the spec
 * runs and gives this one back. */
static const char DRIVER[] =
    "local count_line = ...\n"
    "package.path = 'generator/?.lua;generator/?/init.lua;tests/lua/?.lua;' .. package.path\n"
    "local errors, pipeline = require('errors'), require('pipeline')\n"
    "return function(text)\n"
    "  debug.sethook(count_line, 'l')\n"
    "  local ok, e = pcall(pipeline.generate, text)\n"
    "  debug.sethook()\n"
    "  if ok then return nil end\n"
    "  if not errors.is_user_error(e) then return 'a Lua error of the generator: ' .. tostring(e) end\n"
    "  if tostring(e):find('\\n') then return 'a message of more than one line: ' .. tostring(e) end\n"
    "end\n";

static lua_State *L;

static void start(void)
{
    L = luaL_newstate();
    luaL_openlibs(L);
    lua_pushcfunction(L, count_line);
    if (luaL_loadstring(L, DRIVER) != LUA_OK || (lua_insert(L, -2), lua_pcall(L, 1, 1, 0)) != LUA_OK) {
        fprintf(stderr, "fuzz_spec: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "check_spec");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!L) start();
    lua_getfield(L, LUA_REGISTRYINDEX, "check_spec");
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_isnil(L, -1)) {
        fprintf(stderr, "fuzz_spec: %s\n", lua_tostring(L, -1));
        __builtin_trap();
    }
    lua_pop(L, 1);
    return 0;
}
