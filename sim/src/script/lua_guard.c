#define _POSIX_C_SOURCE 200809L
// What keeps scene and policy Lua inside its limits where the count hook
// cannot: Lua runs __gc finalizers and __close handlers with hooks off (a
// loop there ignored the instruction budget and the wall clock), so neither
// is available; and C reads scene-controlled tables without metamethods, so
// a raising or looping __index cannot run outside a protected, metered call.
#include "lua_rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ps_lua_rawfield(lua_State *L, int t, const char *field)
{
    if (lua_type(L, t) != LUA_TTABLE) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    t = lua_absindex(L, t);
    lua_pushstring(L, field);
    return lua_rawget(L, t);
}

void ps_lua_rawsetfield(lua_State *L, int t, const char *field)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, field);
    lua_insert(L, -2);
    lua_rawset(L, t);
}

// Skips a long bracket "[==[ ... ]==]" starting at src[i] == '['; returns the
// index after it, or i when src[i] does not open one. Counts newlines.
static size_t skip_long(const char *s, size_t n, size_t i, int *line)
{
    size_t j = i + 1, level = 0;
    while (j < n && s[j] == '=') j++, level++;
    if (j >= n || s[j] != '[') return i;
    for (j++; j < n; j++) {
        if (s[j] == '\n') (*line)++;
        if (s[j] != ']') continue;
        size_t k = j + 1, l = 0;
        while (k < n && s[k] == '=') k++, l++;
        if (l == level && k < n && s[k] == ']') return k + 1;
    }
    return n;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int ps_lua_find_close_attrib(const char *s, size_t n)
{
    int line = 1;
    // The last two tokens: 1 = '<', 2 = the name "close", 0 = anything else.
    int prev2 = 0, prev1 = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        int tok = 0;
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            size_t j = i + 2 < n && s[i + 2] == '[' ? skip_long(s, n, i + 2, &line) : i + 2;
            if (j == i + 2)
                while (j < n && s[j] != '\n') j++;
            i = j;
            continue; // a comment is not a token
        }
        if (c == '[') {
            size_t j = skip_long(s, n, i, &line);
            i = j > i ? j : i + 1;
        } else if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < n && s[j] != c && s[j] != '\n') {
                if (s[j] == '\\' && j + 1 < n) {
                    if (s[j + 1] == '\n') line++;
                    j++;
                }
                j++;
            }
            i = j + 1;
        } else if (is_name_char(c)) {
            size_t j = i;
            while (j < n && is_name_char(s[j])) j++;
            if (c >= '0' && c <= '9') {
                // numbers: digits, letters, '.', and a sign after an exponent
                while (j < n && (is_name_char(s[j]) || s[j] == '.' ||
                                 ((s[j] == '+' || s[j] == '-') && strchr("eEpP", s[j - 1]))))
                    j++;
            } else if (j - i == 5 && !memcmp(s + i, "close", 5)) {
                tok = 2;
            }
            i = j;
        } else if (c == '<') {
            tok = i + 1 < n && (s[i + 1] == '<' || s[i + 1] == '=') ? 0 : 1;
            i += tok ? 1 : 2;
        } else if (c == '>') {
            if (prev2 == 1 && prev1 == 2 && !(i + 1 < n && (s[i + 1] == '>' || s[i + 1] == '='))) return line;
            i++;
        } else {
            i++;
        }
        prev2 = prev1;
        prev1 = tok;
    }
    return 0;
}

int ps_lua_load_text(lua_State *L, const char *src, size_t len, const char *chunkname)
{
    int line = ps_lua_find_close_attrib(src, len);
    if (line) {
        const char *name = chunkname && (chunkname[0] == '@' || chunkname[0] == '=') ? chunkname + 1 : "?";
        lua_pushfstring(L,
                        "%s:%d: to-be-closed variables ('<close>') are not available in scenes and policies: "
                        "Lua runs __close handlers outside the instruction budget and the wall clock",
                        name, line);
        return LUA_ERRSYNTAX;
    }
    return luaL_loadbufferx(L, src, len, chunkname, "t");
}

int ps_lua_load_file(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lua_pushfstring(L, "cannot open %s: %s", path, strerror(errno));
        return LUA_ERRFILE;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if (cap >= (size_t)64 << 20) {
                free(buf);
                fclose(f);
                lua_pushfstring(L, "%s: a Lua source file is limited to 64 MiB", path);
                return LUA_ERRFILE;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf) {
        lua_pushfstring(L, "%s: out of memory reading it", path);
        return LUA_ERRMEM;
    }
    if (bad) {
        free(buf);
        lua_pushfstring(L, "cannot read %s", path);
        return LUA_ERRFILE;
    }
    // A leading "#!" line is skipped by luaL_loadfile; keep the same.
    size_t off = 0;
    if (len > 0 && buf[0] == '#') {
        while (off < len && buf[off] != '\n') off++;
    }
    lua_pushfstring(L, "@%s", path);
    int rc = ps_lua_load_text(L, buf + off, len - off, lua_tostring(L, -1));
    lua_remove(L, -2);
    free(buf);
    return rc;
}

// setmetatable(t, mt) refusing a metatable with __gc: Lua marks an object for
// finalization only when its metatable has __gc at this moment, so no scene
// or policy object is ever finalized.
static int l_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int ty = lua_rawget(L, 2);
        lua_pop(L, 1);
        if (ty != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc (finalizers) is not available in scenes and policies: Lua "
                                 "runs finalizers outside the instruction budget and the wall clock");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void ps_lua_guard_install(lua_State *L)
{
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
}
