// Episode state save/restore (state.h): the world record, the episode's
// counters and RNG, the observation/action buffers and ctx.state as plain data.
#include "pilotsim/state.h"
#include "scene_internal.h"
#include "state_internal.h"
#include "log_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct ps_episode_state {
    bool saved;
    const ps_episode *episode;  // identity checks: the episode and its runtime serial
    uint64_t serial;
    bool loaded;                // filled by ps_episode_state_load: no episode identity
    ps_state_buf world, space, lua;
    ps_episode_status status;
    uint64_t steps;
    double ret;
    ps_rng rng;
    char message[4096];
};

/* ------------------------------------------------------------ ctx.state as bytes */

enum { T_NIL, T_FALSE, T_TRUE, T_INT, T_NUM, T_STR, T_TABLE, T_END };

static void put_tag(ps_state_buf *b, unsigned char t) { ps_state_put(b, &t, 1); }

// Appends the value at stack index `i`; `path` names it for errors.
static bool put_value(lua_State *L, int i, ps_state_buf *b, char *path, size_t plen, int depth, char *err,
                      size_t errlen)
{
    switch (lua_type(L, i)) {
    case LUA_TBOOLEAN:
        put_tag(b, lua_toboolean(L, i) ? T_TRUE : T_FALSE);
        return true;
    case LUA_TNUMBER:
        if (lua_isinteger(L, i)) {
            lua_Integer v = lua_tointeger(L, i);
            put_tag(b, T_INT);
            ps_state_put(b, &v, sizeof v);
        } else {
            lua_Number v = lua_tonumber(L, i);
            put_tag(b, T_NUM);
            ps_state_put(b, &v, sizeof v);
        }
        return true;
    case LUA_TSTRING: {
        size_t n;
        const char *str = lua_tolstring(L, i, &n);
        uint64_t n64 = n;
        put_tag(b, T_STR);
        ps_state_put(b, &n64, sizeof n64);
        ps_state_put(b, str, n);
        return true;
    }
    case LUA_TTABLE: {
        if (depth >= MAX_DEPTH) {
            ps_set_error(err, errlen, "%s: tables nested deeper than %d levels (a cycle?) cannot be saved", path,
                         MAX_DEPTH);
            return false;
        }
        if (!lua_checkstack(L, 4)) {
            ps_set_error(err, errlen, "%s: Lua stack exhausted", path);
            return false;
        }
        put_tag(b, T_TABLE);
        i = lua_absindex(L, i);
        lua_pushnil(L);
        while (lua_next(L, i)) {
            int kt = lua_type(L, -2);
            size_t n = strlen(path);
            if (kt == LUA_TSTRING) snprintf(path + n, plen - n, ".%s", lua_tostring(L, -2));
            else if (kt == LUA_TNUMBER && lua_isinteger(L, -2))
                snprintf(path + n, plen - n, "[%lld]", (long long)lua_tointeger(L, -2));
            else if (kt == LUA_TNUMBER) snprintf(path + n, plen - n, "[%g]", (double)lua_tonumber(L, -2));
            else snprintf(path + n, plen - n, "[%s]", luaL_typename(L, -2));
            if (kt != LUA_TSTRING && kt != LUA_TNUMBER && kt != LUA_TBOOLEAN) {
                ps_set_error(err, errlen, "%s: a %s key is not plain data and cannot be saved", path,
                             luaL_typename(L, -2));
                lua_pop(L, 2);
                return false;
            }
            if (!put_value(L, -2, b, path, plen, depth + 1, err, errlen) ||
                !put_value(L, -1, b, path, plen, depth + 1, err, errlen)) {
                lua_pop(L, 2);
                return false;
            }
            path[n] = 0;
            lua_pop(L, 1);
        }
        put_tag(b, T_END);
        return true;
    }
    default:
        ps_set_error(err, errlen, "%s: a %s is not plain data (numbers, strings, booleans, tables) and cannot be saved",
                     path, luaL_typename(L, i));
        return false;
    }
}

// Pushes the next value of the record; false on a damaged record.
static bool get_value(lua_State *L, ps_state_reader *r, int depth)
{
    unsigned char t;
    if (!ps_state_get(r, &t, 1) || depth > MAX_DEPTH || !lua_checkstack(L, 4)) return false;
    switch (t) {
    case T_FALSE: lua_pushboolean(L, 0); return true;
    case T_TRUE: lua_pushboolean(L, 1); return true;
    case T_INT: {
        lua_Integer v;
        if (!ps_state_get(r, &v, sizeof v)) return false;
        lua_pushinteger(L, v);
        return true;
    }
    case T_NUM: {
        lua_Number v;
        if (!ps_state_get(r, &v, sizeof v)) return false;
        lua_pushnumber(L, v);
        return true;
    }
    case T_STR: {
        uint64_t n;
        if (!ps_state_get(r, &n, sizeof n) || n > r->len - r->pos) return false;
        lua_pushlstring(L, (const char *)r->data + r->pos, (size_t)n);
        r->pos += (size_t)n;
        return true;
    }
    case T_TABLE:
        lua_newtable(L);
        for (;;) {
            if (r->pos < r->len && r->data[r->pos] == T_END) {
                r->pos++;
                return true;
            }
            if (!get_value(L, r, depth + 1) || !get_value(L, r, depth + 1)) return false;
            lua_rawset(L, -3);
        }
    default: return false;
    }
}

// Makes table `dst` hold what table `src` holds, keeping the identity of
// tables present in both (code may keep references to them).
static void merge_into(lua_State *L, int dst, int src, int depth)
{
    dst = lua_absindex(L, dst);
    src = lua_absindex(L, src);
    lua_checkstack(L, 6);
    // Drop keys src lacks (assigning nil to existing fields is allowed during lua_next).
    lua_pushnil(L);
    while (lua_next(L, dst)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, src) == LUA_TNIL) {
            lua_pushvalue(L, -2);
            lua_pushnil(L);
            lua_rawset(L, dst);
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, src)) {
        lua_pushvalue(L, -2);
        int old = lua_rawget(L, dst);
        if (old == LUA_TTABLE && lua_type(L, -2) == LUA_TTABLE && depth < MAX_DEPTH) {
            merge_into(L, -1, -2, depth + 1);
            lua_pop(L, 2);
        } else {
            lua_pop(L, 1);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, dst);
        }
    }
}

/* ------------------------------------------------------------ space buffers */

static void put_space(ps_space_rt *sp, ps_state_buf *b)
{
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < ps_space_count(sp, a); i++) {
            const ps_space_entry *en = ps_space_entry_at(sp, a, i);
            ps_state_put(b, en->data, en->count * sizeof *en->data);
        }
}

static void get_space(ps_space_rt *sp, ps_state_reader *r)
{
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < ps_space_count(sp, a); i++) {
            ps_space_entry *en = ps_space_entry_at(sp, a, i);
            ps_state_get(r, en->data, en->count * sizeof *en->data);
        }
}

static size_t space_size(ps_space_rt *sp)
{
    size_t n = 0;
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < ps_space_count(sp, a); i++) n += ps_space_entry_at(sp, a, i)->count * sizeof(float);
    return n;
}

/* ------------------------------------------------------------ public */

ps_episode_state *ps_episode_state_create(void)
{
    ps_episode_state *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->world.ok = st->space.ok = st->lua.ok = true;
    return st;
}

void ps_episode_state_destroy(ps_episode_state *st)
{
    if (!st) return;
    ps_state_buf_free(&st->world);
    ps_state_buf_free(&st->space);
    ps_state_buf_free(&st->lua);
    free(st);
}

ps_status ps_episode_save_state(ps_episode *e, ps_episode_state *st, char *err, size_t errlen)
{
    if (!e || !st) {
        ps_set_error(err, errlen, "save_state: no episode or state");
        return PS_ERR_INVALID;
    }
    ps_episode_core c = ps_episode_core_of(e);
    if (!c.world || !c.space) {
        ps_set_error(err, errlen, "save_state: the episode has no running world");
        return PS_ERR_STATE;
    }
    ps_lua_rt *rt = c.scene->rt;
    lua_State *L = rt->L;
    st->saved = false;
    st->world.len = st->space.len = st->lua.len = 0;
    st->world.ok = st->space.ok = st->lua.ok = true;

    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c.ctx_ref);
    lua_getfield(L, -1, "state");
    char path[512] = "ctx.state";
    bool ok = put_value(L, -1, &st->lua, path, sizeof path, 0, err, errlen);
    lua_settop(L, top);
    if (!ok) return PS_ERR_INVALID;
    ps_world_state_write(c.world, &st->world);
    put_space(c.space, &st->space);
    if (!st->world.ok || !st->space.ok || !st->lua.ok) {
        ps_set_error(err, errlen, "save_state: out of memory");
        return PS_ERR_NOMEM;
    }
    st->episode = e;
    st->serial = rt->serial;
    st->loaded = false;
    st->status = *c.status;
    st->steps = *c.steps;
    st->ret = *c.ret;
    st->rng = rt->rng;
    snprintf(st->message, sizeof st->message, "%s", c.message);
    st->saved = true;
    return PS_OK;
}

ps_status ps_episode_restore_state(ps_episode *e, const ps_episode_state *st, char *err, size_t errlen)
{
    if (!e || !st || !st->saved) {
        ps_set_error(err, errlen, "restore_state: %s", st && !st->saved ? "the state is empty" : "no episode or state");
        return PS_ERR_INVALID;
    }
    ps_episode_core c = ps_episode_core_of(e);
    ps_lua_rt *rt = c.scene->rt;
    if ((!st->loaded && (st->episode != e || st->serial != rt->serial)) || !c.world || !c.space) {
        ps_set_error(err, errlen, "restore_state: the state was saved from another episode");
        return PS_ERR_STATE;
    }
    if (st->loaded && st->space.len != space_size(c.space)) {
        ps_set_error(err, errlen, "restore_state: the state's observation and action buffers (%zu bytes) do not "
                     "match this episode's (%zu bytes)", st->space.len, space_size(c.space));
        return PS_ERR_STATE;
    }
    lua_State *L = rt->L;
    int top = lua_gettop(L);
    ps_state_reader lr = {st->lua.data, st->lua.len, 0, true};
    if (!get_value(L, &lr, 0) || lr.pos != lr.len || !lua_istable(L, -1)) {
        lua_settop(L, top);
        ps_set_error(err, errlen, "restore_state: the saved ctx.state is damaged");
        return PS_ERR_INVALID;
    }
    ps_state_reader wr = {st->world.data, st->world.len, 0, true};
    if (ps_world_state_read(c.world, &wr) != PS_OK) {
        lua_settop(L, top);
        ps_set_error(err, errlen, "%s", ps_world_last_error(c.world));
        return PS_ERR_STATE;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, c.ctx_ref);
    if (lua_getfield(L, -1, "state") == LUA_TTABLE) {
        merge_into(L, -1, -3, 0);
    } else {
        lua_pop(L, 1);
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, "state");
    }
    lua_settop(L, top);
    ps_state_reader sr = {st->space.data, st->space.len, 0, true};
    get_space(c.space, &sr);
    *c.status = st->status;
    *c.steps = st->steps;
    *c.ret = st->ret;
    rt->rng = st->rng;
    snprintf(c.message, c.message_size, "%s", st->message);
    ps_episode_sync_clock(e);
    return PS_OK;
}

/* ------------------------------------------------------------ bytes */

// Layout: magic, version, status, steps, return, RNG, message length, the three
// record lengths, then the message and the records. Native byte order.
static const char state_magic[8] = {'P', 'S', 'E', 'P', 'S', 'T', 'A', 'T'};
enum { STATE_BYTES_VERSION = 1 };

typedef struct state_header {
    char magic[8];
    uint32_t version;
    int32_t status;
    uint64_t steps;
    double ret;
    ps_rng rng;
    uint64_t message_len, world_len, space_len, lua_len;
} state_header;

size_t ps_episode_state_bytes(const ps_episode_state *st, void *buf, size_t cap)
{
    if (!st || !st->saved) return 0;
    state_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, state_magic, sizeof h.magic);
    h.version = STATE_BYTES_VERSION;
    h.status = (int32_t)st->status;
    h.steps = st->steps;
    h.ret = st->ret;
    h.rng = st->rng;
    h.message_len = strlen(st->message);
    h.world_len = st->world.len;
    h.space_len = st->space.len;
    h.lua_len = st->lua.len;
    size_t need = sizeof h + h.message_len + h.world_len + h.space_len + h.lua_len;
    if (!buf || cap < need) return need;
    unsigned char *p = buf;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    memcpy(p, st->message, h.message_len);
    p += h.message_len;
    if (h.world_len) memcpy(p, st->world.data, h.world_len);
    p += h.world_len;
    if (h.space_len) memcpy(p, st->space.data, h.space_len);
    p += h.space_len;
    if (h.lua_len) memcpy(p, st->lua.data, h.lua_len);
    return need;
}

static bool load_buf(ps_state_buf *b, const unsigned char *p, size_t n)
{
    b->len = 0;
    b->ok = true;
    return ps_state_put(b, p, n) && b->ok;
}

ps_status ps_episode_state_load(ps_episode_state *st, const void *data, size_t len, char *err, size_t errlen)
{
    if (!st || (!data && len)) {
        ps_set_error(err, errlen, "state_load: no state or data");
        return PS_ERR_INVALID;
    }
    state_header h;
    if (len < sizeof h) {
        ps_set_error(err, errlen, "state_load: %zu bytes are too few for a saved episode state", len);
        return PS_ERR_INVALID;
    }
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, state_magic, sizeof h.magic) || h.version != STATE_BYTES_VERSION) {
        ps_set_error(err, errlen, "state_load: not a saved episode state of this version");
        return PS_ERR_INVALID;
    }
    size_t rest = len - sizeof h;
    if (h.message_len >= sizeof st->message || h.message_len > rest || h.world_len > rest - h.message_len ||
        h.space_len > rest - h.message_len - h.world_len ||
        h.lua_len > rest - h.message_len - h.world_len - h.space_len || h.status < PS_EP_RUNNING ||
        h.status > PS_EP_SCRIPT_ERROR) {
        ps_set_error(err, errlen, "state_load: the saved episode state is truncated or damaged");
        return PS_ERR_INVALID;
    }
    const unsigned char *p = (const unsigned char *)data + sizeof h;
    memcpy(st->message, p, h.message_len);
    st->message[h.message_len] = '\0';
    p += h.message_len;
    bool ok = load_buf(&st->world, p, h.world_len);
    p += h.world_len;
    ok = load_buf(&st->space, p, h.space_len) && ok;
    p += h.space_len;
    ok = load_buf(&st->lua, p, h.lua_len) && ok;
    st->saved = false;
    if (!ok) {
        ps_set_error(err, errlen, "state_load: out of memory");
        return PS_ERR_NOMEM;
    }
    st->status = (ps_episode_status)h.status;
    st->steps = h.steps;
    st->ret = h.ret;
    st->rng = h.rng;
    st->episode = NULL;
    st->serial = 0;
    st->loaded = true;
    st->saved = true;
    return PS_OK;
}
