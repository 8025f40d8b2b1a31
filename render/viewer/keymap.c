// The viewer's key map (see keymap.h).
#include "keymap.h"

#include <GLFW/glfw3.h>
#include <ctype.h>
#include <string.h>

_Static_assert(PS_KEYMOD_SHIFT == GLFW_MOD_SHIFT && PS_KEYMOD_CTRL == GLFW_MOD_CONTROL, "modifier bits");

static const ps_key_binding bindings[] = {
    {GLFW_KEY_F1, 0, PS_CMD_HELP, "F1", "show / hide this key map"},
    {GLFW_KEY_SPACE, 0, PS_CMD_PAUSE, "Space", "pause / run"},
    {GLFW_KEY_N, 0, PS_CMD_STEP, "N", "one physics step (pauses)"},
    {GLFW_KEY_Z, PS_KEYMOD_CTRL, PS_CMD_REWIND, "Ctrl+Z", "rewind 0.25 s (pauses; repeat to go back up to 60 s)"},
    {GLFW_KEY_R, 0, PS_CMD_RESET, "R", "reset the episode (same seed)"},
    {GLFW_KEY_R, PS_KEYMOD_SHIFT, PS_CMD_RESET_NEXT, "Shift+R", "reset with the next seed"},
    {GLFW_KEY_F5, 0, PS_CMD_RELOAD, "F5", "reload now (also automatic on file changes)"},
    {GLFW_KEY_LEFT_BRACKET, 0, PS_CMD_SLOWER, "[", "slower (halves, down to 1/16x)"},
    {GLFW_KEY_RIGHT_BRACKET, 0, PS_CMD_FASTER, "]", "faster (doubles, up to 16x)"},
    {GLFW_KEY_1, 0, PS_CMD_REALTIME, "1", "real time (1x)"},
    {GLFW_KEY_BACKSLASH, 0, PS_CMD_MAX_SPEED, "\\", "as fast as possible (max)"},
    {GLFW_KEY_P, 0, PS_CMD_POLICY, "P", "policy on / off"},
    {GLFW_KEY_F, 0, PS_CMD_FOLLOW, "F", "follow the selected body / stop following"},
    {GLFW_KEY_K, 0, PS_CMD_CAMERA_VIEW, "K", "look through the next camera sensor (after the last: free camera)"},
    {GLFW_KEY_HOME, 0, PS_CMD_HOME, "Home", "reset the view"},
    {GLFW_KEY_ESCAPE, 0, PS_CMD_DESELECT, "Esc", "clear the selection and the error banner"},
    {GLFW_KEY_F2, 0, PS_CMD_PANELS, "F2", "show / hide the panels"},
    {GLFW_KEY_F3, 0, PS_CMD_PLOTS, "F3", "time plots: reward, joint q/qd, contact force, solver"},
    {GLFW_KEY_F4, 0, PS_CMD_PROFILER, "F4", "profiler: ms per frame (physics, render, panels)"},
    {GLFW_KEY_I, 0, PS_CMD_INSPECTOR, "I", "model tree and body inspector"},
    {GLFW_KEY_U, 0, PS_CMD_MANUAL, "U", "manual: actuator sliders drive (policy, actions off)"},
    {GLFW_KEY_F12, 0, PS_CMD_SCREENSHOT, "F12", "screenshot (pilotsim-view-N.png)"},
    {GLFW_KEY_Q, PS_KEYMOD_CTRL, PS_CMD_QUIT, "Ctrl+Q", "quit"},
    {GLFW_KEY_C, 0, PS_CMD_OV_CONTACTS, "C", "overlay: contacts and forces"},
    {GLFW_KEY_J, 0, PS_CMD_OV_JOINTS, "J", "overlay: joint axes"},
    {GLFW_KEY_M, 0, PS_CMD_OV_COM, "M", "overlay: centres of mass"},
    {GLFW_KEY_L, 0, PS_CMD_OV_LIDAR, "L", "overlay: lidar rays"},
    {GLFW_KEY_Z, 0, PS_CMD_OV_ZONES, "Z", "overlay: keep-out zones"},
    {GLFW_KEY_V, 0, PS_CMD_OV_VISUAL, "V", "visual meshes / collision shapes"},
    {GLFW_KEY_G, 0, PS_CMD_OV_GRID, "G", "ground grid"},
    {GLFW_KEY_H, 0, PS_CMD_OV_SHADOWS, "H", "shadows"},
    {GLFW_KEY_B, 0, PS_CMD_DAYLIGHT, "B", "brighten: a dark scene in daylight / as dark as the scene says"},
    {GLFW_KEY_UP, 0, PS_CMD_DRIVE_FWD, "Up", "teleop (held): action value 0 at +max (forward)"},
    {GLFW_KEY_DOWN, 0, PS_CMD_DRIVE_BACK, "Down", "teleop (held): action value 0 at -max"},
    {GLFW_KEY_LEFT, 0, PS_CMD_DRIVE_LEFT, "Left", "teleop (held): action value 1 at +max (turn left)"},
    {GLFW_KEY_RIGHT, 0, PS_CMD_DRIVE_RIGHT, "Right", "teleop (held): action value 1 at -max"},
    {GLFW_KEY_TAB, 0, PS_CMD_ACT_NEXT_ENTRY, "Tab", "teleop: next action entry"},
    {GLFW_KEY_TAB, PS_KEYMOD_SHIFT, PS_CMD_ACT_PREV_ENTRY, "Shift+Tab", "teleop: previous action entry"},
    {GLFW_KEY_PERIOD, 0, PS_CMD_ACT_NEXT_DIM, ".", "teleop: next value of the entry"},
    {GLFW_KEY_COMMA, 0, PS_CMD_ACT_PREV_DIM, ",", "teleop: previous value of the entry"},
    {GLFW_KEY_EQUAL, 0, PS_CMD_ACT_INC, "+ (=)", "teleop: selected value + 10% of its range"},
    {GLFW_KEY_KP_ADD, 0, PS_CMD_ACT_INC, "Keypad +", "teleop: selected value + 10% of its range"},
    {GLFW_KEY_MINUS, 0, PS_CMD_ACT_DEC, "-", "teleop: selected value - 10% of its range"},
    {GLFW_KEY_KP_SUBTRACT, 0, PS_CMD_ACT_DEC, "Keypad -", "teleop: selected value - 10% of its range"},
    {GLFW_KEY_BACKSPACE, 0, PS_CMD_ACT_ZERO, "Backspace", "teleop: all actions to 0"},
};

static const char *const mouse_help[] = {
    "Left drag          orbit the camera",
    "Right/middle drag  pan",
    "Scroll             zoom",
    "Left click         select a body (then F follows it)",
    "Shift+left drag    drag the body under the cursor with a spring",
    "Ctrl+left click    push the body under the cursor (impulse)",
    "Ctrl+right drag    turn the body under the cursor (torque spring)",
    "Wheel on panels    scroll the panel column; drag its left edge to resize it",
    "Gamepad            left stick: action values 0 (forward) and 1 (turn) of the",
    "                   selected entry, right stick: values 2 and 3",
    "Teleop keys turn the policy off; robot-bound actions override the actuator sliders.",
    NULL,
};

const ps_key_binding *ps_keymap(size_t *count)
{
    *count = sizeof bindings / sizeof bindings[0];
    return bindings;
}

ps_view_cmd ps_keymap_lookup(int key, int mods)
{
    mods &= PS_KEYMOD_SHIFT | PS_KEYMOD_CTRL;
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        if (bindings[i].key == key && bindings[i].mods == mods) return bindings[i].cmd;
    // Held teleop keys and +/- keep working with shift (e.g. '+' typed as Shift+=).
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        if (bindings[i].key == key && bindings[i].mods == 0 && mods == PS_KEYMOD_SHIFT &&
            bindings[i].cmd >= PS_CMD_ACT_INC)
            return bindings[i].cmd;
    return PS_CMD_NONE;
}

const char *const *ps_keymap_mouse_help(void) { return mouse_help; }

static const struct { const char *name; int key; } names[] = {
    {"space", GLFW_KEY_SPACE}, {"tab", GLFW_KEY_TAB}, {"escape", GLFW_KEY_ESCAPE}, {"esc", GLFW_KEY_ESCAPE},
    {"enter", GLFW_KEY_ENTER}, {"backspace", GLFW_KEY_BACKSPACE}, {"delete", GLFW_KEY_DELETE},
    {"home", GLFW_KEY_HOME}, {"end", GLFW_KEY_END}, {"left", GLFW_KEY_LEFT}, {"right", GLFW_KEY_RIGHT},
    {"up", GLFW_KEY_UP}, {"down", GLFW_KEY_DOWN}, {"minus", GLFW_KEY_MINUS}, {"equal", GLFW_KEY_EQUAL},
    {"plus", GLFW_KEY_EQUAL}, {"comma", GLFW_KEY_COMMA}, {"period", GLFW_KEY_PERIOD},
    {"lbracket", GLFW_KEY_LEFT_BRACKET}, {"rbracket", GLFW_KEY_RIGHT_BRACKET},
    {"backslash", GLFW_KEY_BACKSLASH}, {"kp_add", GLFW_KEY_KP_ADD}, {"kp_subtract", GLFW_KEY_KP_SUBTRACT},
};

int ps_keymap_key_from_name(const char *name)
{
    char low[32];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof low) return -1;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)name[i]);
    if (n == 1 && low[0] >= 'a' && low[0] <= 'z') return GLFW_KEY_A + (low[0] - 'a');
    if (n == 1 && low[0] >= '0' && low[0] <= '9') return GLFW_KEY_0 + (low[0] - '0');
    if (low[0] == 'f' && n <= 3 && isdigit((unsigned char)low[1])) {
        int k = low[1] - '0';
        if (n == 3) {
            if (!isdigit((unsigned char)low[2])) return -1;
            k = k * 10 + (low[2] - '0');
        }
        if (k >= 1 && k <= 25) return GLFW_KEY_F1 + k - 1;
        return -1;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i].name, low)) return names[i].key;
    return -1;
}
