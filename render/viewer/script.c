// Scripted viewer input: the parser (see script.h; the viewer runs the events).
#include "script.h"
#include "keymap.h"

#include <GLFW/glfw3.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool push(ps_script *s, ps_script_event e)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ps_script_event *n = realloc(s->ev, cap * sizeof *n);
        if (!n) return false;
        s->ev = n;
        s->cap = cap;
    }
    s->ev[s->count++] = e;
    return true;
}

static bool parse_num(const char *t, double *out)
{
    if (!t) return false;
    char *end;
    errno = 0;
    *out = strtod(t, &end);
    return end != t && *end == '\0' && errno == 0;
}

static int parse_button(const char *t)
{
    if (!t) return -1;
    if (!strcmp(t, "left")) return GLFW_MOUSE_BUTTON_LEFT;
    if (!strcmp(t, "right")) return GLFW_MOUSE_BUTTON_RIGHT;
    if (!strcmp(t, "middle")) return GLFW_MOUSE_BUTTON_MIDDLE;
    return -1;
}

// Modifier words from token `i` on; -1 on an unknown word.
static int parse_mods(char **tok, int ntok, int i)
{
    int mods = 0;
    for (; i < ntok; i++) {
        if (!strcmp(tok[i], "shift")) mods |= GLFW_MOD_SHIFT;
        else if (!strcmp(tok[i], "ctrl")) mods |= GLFW_MOD_CONTROL;
        else if (!strcmp(tok[i], "alt")) mods |= GLFW_MOD_ALT;
        else return -1;
    }
    return mods;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

bool ps_script_load(ps_script *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->wait_since = -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the script: %s", path, strerror(errno));
        return false;
    }
    char line[1024];
    int ln = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *tok[16];
        int nt = 0;
        for (char *t = strtok(line, " \t\r\n"); t && nt < 16; t = strtok(NULL, " \t\r\n")) tok[nt++] = t;
        if (nt == 0) continue;
        const char *cmd = tok[0];
        ps_script_event e = {.line = ln};
        double a = 0, b = 0, c = 0, d = 0, n = 0;
        const char *why = NULL;
        if (!strcmp(cmd, "wait") || !strcmp(cmd, "wait_steps")) {
            e.op = cmd[4] ? PS_SOP_WAIT_STEPS : PS_SOP_WAIT;
            const char *num = nt == 2 ? tok[1] : "";
            if (e.op == PS_SOP_WAIT_STEPS && num[0] == '+') {
                e.cond = 1; // relative to the step count when the wait begins
                num++;
            }
            if (nt != 2 || !parse_num(num, &n) || n < 0) why = "needs a count";
            e.n = (long)n;
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "wait_for")) {
            static const char *const conds[] = {"reloads", "error", "no_error", "paused", "running", "help", NULL};
            e.op = PS_SOP_WAIT_FOR;
            e.cond = -1;
            for (int ci = 0; nt >= 2 && conds[ci]; ci++)
                if (!strcmp(tok[1], conds[ci])) e.cond = ci;
            if (e.cond < 0) why = "needs a condition (reloads N, error, no_error, paused, running, help)";
            else if (e.cond == PS_SCOND_RELOADS && (nt != 3 || !parse_num(tok[2], &n) || n < 0))
                why = "reloads needs a count";
            else if (e.cond != PS_SCOND_RELOADS && nt != 2) why = "takes no count for this condition";
            e.n = (long)n;
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "key") || !strcmp(cmd, "keydown") || !strcmp(cmd, "keyup")) {
            e.key = nt >= 2 ? ps_keymap_key_from_name(tok[1]) : -1;
            e.mods = parse_mods(tok, nt, 2);
            if (e.key < 0) why = "unknown key name";
            else if (e.mods < 0) why = "unknown modifier (shift, ctrl, alt)";
            else if (!strcmp(cmd, "keyup")) {
                e.op = PS_SOP_KEY_UP;
                ok = push(s, e);
            } else {
                e.op = PS_SOP_KEY_DOWN;
                ok = push(s, e);
                if (ok && !strcmp(cmd, "key")) {
                    e.op = PS_SOP_KEY_UP;
                    ok = push(s, e);
                }
            }
        } else if (!strcmp(cmd, "move")) {
            if (nt != 3 || !parse_num(tok[1], &a) || !parse_num(tok[2], &b)) why = "needs X Y";
            e.op = PS_SOP_MOVE;
            e.x = a;
            e.y = b;
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "press") || !strcmp(cmd, "release")) {
            e.button = nt >= 2 ? parse_button(tok[1]) : -1;
            e.mods = parse_mods(tok, nt, 2);
            if (e.button < 0) why = "needs a button (left, right, middle)";
            else if (e.mods < 0) why = "unknown modifier (shift, ctrl, alt)";
            e.op = cmd[0] == 'p' ? PS_SOP_PRESS : PS_SOP_RELEASE;
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "click_widget") || !strcmp(cmd, "set_slider")) {
            // press on a widget of the last frame found by its label, release a frame later
            bool slider = cmd[0] == 's';
            int first = slider ? 2 : 1;
            if (nt <= first || (slider && (!parse_num(tok[1], &a) || a < 0 || a > 1)))
                why = slider ? "needs FRACTION (0..1) LABEL" : "needs a LABEL";
            if (!why) {
                char label[256] = "";
                for (int t = first; t < nt; t++) {
                    strncat(label, tok[t], sizeof label - strlen(label) - 2);
                    if (t + 1 < nt) strcat(label, " ");
                }
                e.op = PS_SOP_WIDGET;
                e.x = slider ? a : -1;
                e.arg = dup(label);
                ok = e.arg && push(s, e);
                e.arg = NULL;
                e.op = PS_SOP_WAIT;
                e.n = 1;
                ok = ok && push(s, e);
                e.op = PS_SOP_RELEASE;
                e.button = 0; // GLFW_MOUSE_BUTTON_LEFT
                ok = ok && push(s, e);
            }
        } else if (!strcmp(cmd, "click")) {
            e.button = nt >= 2 ? parse_button(tok[1]) : -1;
            e.mods = parse_mods(tok, nt, 4);
            if (e.button < 0 || nt < 4 || !parse_num(tok[2], &a) || !parse_num(tok[3], &b))
                why = "needs BUTTON X Y";
            else if (e.mods < 0) why = "unknown modifier (shift, ctrl, alt)";
            if (!why) {
                e.x = a;
                e.y = b;
                e.op = PS_SOP_MOVE;
                ok = push(s, e);
                e.op = PS_SOP_WAIT;
                e.n = 1;
                ok = ok && push(s, e);
                e.op = PS_SOP_PRESS;
                ok = ok && push(s, e);
                e.op = PS_SOP_WAIT;
                ok = ok && push(s, e);
                e.op = PS_SOP_RELEASE;
                ok = ok && push(s, e);
            }
        } else if (!strcmp(cmd, "drag")) {
            e.button = nt >= 2 ? parse_button(tok[1]) : -1;
            e.mods = parse_mods(tok, nt, 7);
            if (e.button < 0 || nt < 7 || !parse_num(tok[2], &a) || !parse_num(tok[3], &b) ||
                !parse_num(tok[4], &c) || !parse_num(tok[5], &d) || !parse_num(tok[6], &n) || n < 1 || n > 100000)
                why = "needs BUTTON X0 Y0 X1 Y1 FRAMES";
            else if (e.mods < 0) why = "unknown modifier (shift, ctrl, alt)";
            if (!why) {
                e.op = PS_SOP_MOVE;
                e.x = a;
                e.y = b;
                ok = push(s, e);
                ps_script_event w = {.op = PS_SOP_WAIT, .n = 1, .line = ln};
                ok = ok && push(s, w);
                e.op = PS_SOP_PRESS;
                ok = ok && push(s, e);
                for (long i = 1; ok && i <= (long)n; i++) {
                    ok = push(s, w);
                    e.op = PS_SOP_MOVE;
                    e.x = a + (c - a) * i / n;
                    e.y = b + (d - b) * i / n;
                    ok = ok && push(s, e);
                }
                ok = ok && push(s, w);
                e.op = PS_SOP_RELEASE;
                ok = ok && push(s, e);
            }
        } else if (!strcmp(cmd, "gamepad")) {
            static const char pad_usage[] = "needs LX LY RX RY (each -1..1) or off";
            e.op = PS_SOP_GAMEPAD;
            e.n = !(nt == 2 && !strcmp(tok[1], "off"));
            if (e.n && nt != 5) why = pad_usage;
            for (int k = 0; e.n && k < 4 && !why; k++) {
                if (!parse_num(tok[k + 1], &a) || !(a >= -1 && a <= 1)) why = pad_usage;
                e.axes[k] = (float)a;
            }
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "scroll")) {
            if (nt != 2 || !parse_num(tok[1], &a)) why = "needs DY";
            e.op = PS_SOP_SCROLL;
            e.y = a;
            ok = why || push(s, e);
        } else if (!strcmp(cmd, "screenshot") || !strcmp(cmd, "body")) {
            if (nt != 2) why = cmd[0] == 's' ? "needs a PATH" : "needs a body NAME";
            else {
                e.op = cmd[0] == 's' ? PS_SOP_SCREENSHOT : PS_SOP_BODY;
                e.arg = dup(tok[1]);
                ok = e.arg && push(s, e);
            }
        } else if (!strcmp(cmd, "state") || !strcmp(cmd, "quit") || !strcmp(cmd, "widgets") || !strcmp(cmd, "inspect") ||
                   !strcmp(cmd, "plots")) {
            if (nt != 1) why = "takes no arguments";
            e.op = cmd[0] == 's' ? PS_SOP_STATE : cmd[0] == 'q' ? PS_SOP_QUIT : cmd[0] == 'w' ? PS_SOP_WIDGETS : cmd[0] == 'p' ? PS_SOP_PLOTS : PS_SOP_INSPECT;
            ok = why || push(s, e);
        } else {
            why = "unknown command (wait, wait_steps, wait_for, key, keydown, keyup, move, press, release, click, drag, "
                  "scroll, screenshot, state, body, widgets, click_widget, set_slider, inspect, plots, gamepad, quit)";
        }
        if (why) {
            snprintf(err, errlen, "%s:%d: %s: %s", path, ln, cmd, why);
            ok = false;
        } else if (!ok) {
            snprintf(err, errlen, "%s:%d: out of memory", path, ln);
        }
    }
    fclose(f);
    if (!ok) ps_script_free(s);
    return ok;
}

void ps_script_free(ps_script *s)
{
    for (size_t i = 0; i < s->count; i++) free(s->ev[i].arg);
    free(s->ev);
    memset(s, 0, sizeof *s);
}

bool ps_script_done(const ps_script *s) { return s->pc >= s->count; }
