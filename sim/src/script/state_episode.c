// Episode state save/restore (state.h): the world record, the episode's
// counters and RNG, the observation/action buffers and ctx.state as plain data.
#include "pilotsim/state.h"
#include "scene_internal.h"
#include "state_internal.h"
#include "log_internal.h"
#include "hash_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct ps_episode_state {
    bool saved;
    const ps_episode *episode;  // identity checks: the episode and its runtime serial;
    uint64_t serial;            // NULL/0 for a state rebuilt from bytes (checked by scene hash)
    uint64_t scene_hash;        // the scene it was saved from: content, param values
    uint64_t seed;              // and episode seed (what rebuilds the same world)
    ps_state_buf world, space, lua;
    ps_episode_status status;
    uint64_t steps;
    double ret;
    ps_rng rng;
    char message[PS_ERR_LEN];
};

/* ------------------------------------------------------------ ctx.state as bytes */

enum { T_NIL, T_FALSE, T_TRUE, T_INT, T_NUM, T_STR, T_TABLE, T_END };

static void put_tag(ps_state_buf *b, unsigned char t) { ps_state_put(b, &t, 1); }

// A table key as it sorts: booleans (false first), then numbers by value, then
// strings by their bytes. Lua's own key order follows its string hashes, which
// are seeded per process: sorted keys make a saved state's bytes the same in
// every run.
typedef struct state_key {
    int type;      // LUA_TBOOLEAN, LUA_TNUMBER, LUA_TSTRING
    int slot;      // index in the key list table
    bool b;
    lua_Number n;
    const char *s; // the key string (alive while the key list is on the stack)
    size_t len;
} state_key;

static int key_order(int type) { return type == LUA_TBOOLEAN ? 0 : type == LUA_TNUMBER ? 1 : 2; }

static int key_cmp(const void *pa, const void *pb)
{
    const state_key *a = pa, *b = pb;
    if (a->type != b->type) return key_order(a->type) - key_order(b->type);
    if (a->type == LUA_TBOOLEAN) return (int)a->b - (int)b->b;
    if (a->type == LUA_TNUMBER) return a->n < b->n ? -1 : a->n > b->n;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static bool put_value(lua_State *L, int i, ps_state_buf *b, char *path, size_t plen, int depth, char *err,
                      size_t errlen);

// Appends the entries of the table at stack index `i` (absolute), keys sorted.
static bool put_table(lua_State *L, int i, ps_state_buf *b, char *path, size_t plen, int depth, char *err,
                      size_t errlen)
{
    // the keys, in a list table (keeps key strings alive) and an array to sort
    lua_newtable(L);
    int list = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, i)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, list, ++n);
    }
    state_key *keys = n ? malloc((size_t)n * sizeof *keys) : NULL;
    if (n && !keys) {
        lua_pop(L, 1);
        ps_set_error(err, errlen, "%s: out of memory", path);
        return false;
    }
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, list, k + 1);
        state_key *key = &keys[k];
        *key = (state_key){.type = lua_type(L, -1), .slot = k + 1};
        if (key->type == LUA_TBOOLEAN) key->b = lua_toboolean(L, -1);
        else if (key->type == LUA_TNUMBER) key->n = lua_tonumber(L, -1);
        else if (key->type == LUA_TSTRING) key->s = lua_tolstring(L, -1, &key->len);
        lua_pop(L, 1);
    }
    if (n > 1) qsort(keys, (size_t)n, sizeof *keys, key_cmp);
    bool ok = true;
    for (int k = 0; ok && k < n; k++) {
        lua_rawgeti(L, list, keys[k].slot); // key
        lua_pushvalue(L, -1);
        lua_rawget(L, i); // value
        int kt = lua_type(L, -2);
        size_t len = strlen(path);
        if (kt == LUA_TSTRING) snprintf(path + len, plen - len, ".%s", lua_tostring(L, -2));
        else if (kt == LUA_TNUMBER && lua_isinteger(L, -2))
            snprintf(path + len, plen - len, "[%lld]", (long long)lua_tointeger(L, -2));
        else if (kt == LUA_TNUMBER) snprintf(path + len, plen - len, "[%g]", (double)lua_tonumber(L, -2));
        else snprintf(path + len, plen - len, "[%s]", luaL_typename(L, -2));
        if (kt != LUA_TSTRING && kt != LUA_TNUMBER && kt != LUA_TBOOLEAN) {
            ps_set_error(err, errlen, "%s: a %s key is not plain data and cannot be saved", path, luaL_typename(L, -2));
            ok = false;
        } else {
            ok = put_value(L, -2, b, path, plen, depth + 1, err, errlen) &&
                 put_value(L, -1, b, path, plen, depth + 1, err, errlen);
        }
        if (ok) path[len] = 0;
        lua_pop(L, 2);
    }
    free(keys);
    lua_pop(L, 1); // the key list
    return ok;
}

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
        if (!put_table(L, lua_absindex(L, i), b, path, plen, depth, err, errlen)) return false;
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

// The scene file's content hash mixed with every param's name and value: two
// scenes agreeing on both build the same world for the same seed.
static uint64_t scene_identity(const ps_scene *s)
{
    uint64_t h = ps_scene_content_hash(s);
    ps_param_info info;
    for (size_t i = 0; i < ps_scene_param_count(s); i++)
        if (ps_scene_param(s, i, &info) == PS_OK) {
            h = ps_fnv1a(h, info.name, strlen(info.name) + 1);
            info.value[sizeof info.value - 1] = 0;
            h = ps_fnv1a(h, info.value, strlen(info.value));
        }
    return h;
}

static size_t space_bytes(ps_space_rt *sp)
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
    ps_lua_rawfield(L, -1, "state");
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
    st->scene_hash = scene_identity(c.scene);
    st->seed = c.seed;
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
    if (!c.world || !c.space) {
        ps_set_error(err, errlen, "restore_state: the episode has no running world");
        return PS_ERR_STATE;
    }
    if (st->episode ? st->episode != e || st->serial != rt->serial
                    : st->scene_hash != scene_identity(c.scene) || st->seed != c.seed) {
        ps_set_error(err, errlen, "restore_state: the state was saved from %s",
                     st->episode                                 ? "another episode"
                     : st->scene_hash != scene_identity(c.scene) ? "another scene (file content or params differ)"
                                                                 : "an episode with another seed");
        return PS_ERR_STATE;
    }
    if (st->space.len != space_bytes(c.space)) {
        ps_set_error(err, errlen, "restore_state: the saved observation/action buffers (%zu bytes) do not match "
                                  "this episode's (%zu bytes)", st->space.len, space_bytes(c.space));
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
    if (ps_lua_rawfield(L, -1, "state") == LUA_TTABLE) {
        merge_into(L, -1, -3, 0);
    } else {
        lua_pop(L, 1);
        lua_pushvalue(L, -2);
        ps_lua_rawsetfield(L, -2, "state");
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

// Layout (native byte order): magic, version, scene hash, status, steps, return,
// rng, message length + bytes, then three length-prefixed records (world, space, lua).
#define BYTES_MAGIC 0x53455350u /* "PSES" */
#define BYTES_VERSION 2u

static void put_record(ps_state_buf *b, const ps_state_buf *r)
{
    uint64_t n = r->len;
    ps_state_put(b, &n, sizeof n);
    ps_state_put(b, r->data, r->len);
}

static bool get_record(ps_state_reader *r, ps_state_buf *out)
{
    uint64_t n = 0;
    if (!ps_state_get(r, &n, sizeof n) || n > r->len - r->pos) return r->ok = false;
    out->len = 0;
    out->ok = true;
    if (!ps_state_put(out, r->data + r->pos, (size_t)n)) return r->ok = false;
    r->pos += (size_t)n;
    return true;
}

// Bytes after the last record may only be zero padding (a fixed-width row of a
// dataset holding states of several lengths).
static bool zero_tail(const ps_state_reader *r)
{
    for (size_t i = r->pos; i < r->len; i++)
        if (r->data[i]) return false;
    return true;
}

ps_status ps_episode_state_serialize(const ps_episode_state *st, void **data, size_t *len)
{
    if (!st || !data || !len) return PS_ERR_INVALID;
    *data = NULL;
    *len = 0;
    if (!st->saved) return PS_ERR_INVALID;
    ps_state_buf b = {.ok = true};
    uint32_t head[2] = {BYTES_MAGIC, BYTES_VERSION};
    int32_t status = (int32_t)st->status;
    uint32_t mlen = (uint32_t)strlen(st->message);
    ps_state_put(&b, head, sizeof head);
    ps_state_put(&b, &st->scene_hash, sizeof st->scene_hash);
    ps_state_put(&b, &st->seed, sizeof st->seed);
    ps_state_put(&b, &status, sizeof status);
    ps_state_put(&b, &st->steps, sizeof st->steps);
    ps_state_put(&b, &st->ret, sizeof st->ret);
    ps_state_put(&b, &st->rng, sizeof st->rng);
    ps_state_put(&b, &mlen, sizeof mlen);
    ps_state_put(&b, st->message, mlen);
    put_record(&b, &st->world);
    put_record(&b, &st->space);
    put_record(&b, &st->lua);
    if (!b.ok) {
        ps_state_buf_free(&b);
        return PS_ERR_NOMEM;
    }
    *data = b.data;
    *len = b.len;
    return PS_OK;
}

ps_episode_state *ps_episode_state_deserialize(const void *data, size_t len, char *err, size_t errlen)
{
    if (!data) {
        ps_set_error(err, errlen, "state bytes: no data");
        return NULL;
    }
    ps_episode_state *st = ps_episode_state_create();
    if (!st) {
        ps_set_error(err, errlen, "state bytes: out of memory");
        return NULL;
    }
    ps_state_reader r = {data, len, 0, true};
    uint32_t head[2] = {0, 0}, mlen = 0;
    int32_t status = 0;
    if (!ps_state_get(&r, head, sizeof head) || head[0] != BYTES_MAGIC || head[1] != BYTES_VERSION) {
        ps_set_error(err, errlen, "state bytes: not a pilotsim episode state of version %u (from another build "
                                  "or damaged)", BYTES_VERSION);
        ps_episode_state_destroy(st);
        return NULL;
    }
    ps_state_get(&r, &st->scene_hash, sizeof st->scene_hash);
    ps_state_get(&r, &st->seed, sizeof st->seed);
    ps_state_get(&r, &status, sizeof status);
    ps_state_get(&r, &st->steps, sizeof st->steps);
    ps_state_get(&r, &st->ret, sizeof st->ret);
    ps_state_get(&r, &st->rng, sizeof st->rng);
    ps_state_get(&r, &mlen, sizeof mlen);
    if (r.ok && mlen < sizeof st->message) ps_state_get(&r, st->message, mlen);
    else r.ok = false;
    bool ok = r.ok && status >= PS_EP_RUNNING && status <= PS_EP_SCRIPT_ERROR &&
              get_record(&r, &st->world) && get_record(&r, &st->space) && get_record(&r, &st->lua) &&
              zero_tail(&r);
    if (!ok) {
        ps_set_error(err, errlen, "state bytes: damaged or truncated (%zu bytes)", len);
        ps_episode_state_destroy(st);
        return NULL;
    }
    st->message[mlen] = '\0';
    st->status = (ps_episode_status)status;
    st->saved = true;
    return st;
}

void ps_episode_state_free_bytes(void *data) { free(data); }

uint64_t ps_episode_state_seed(const ps_episode_state *st) { return st && st->saved ? st->seed : 0; }

uint64_t ps_episode_state_structure(const ps_episode_state *st)
{
    return st && st->saved ? ps_world_state_record_layout(st->world.data, st->world.len) : 0;
}

uint64_t ps_episode_structure(ps_episode *e)
{
    if (!e) return 0;
    ps_episode_core c = ps_episode_core_of(e);
    return c.world ? ps_world_state_layout(c.world) : 0;
}
