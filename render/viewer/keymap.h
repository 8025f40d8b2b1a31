// The viewer's key map: which key (GLFW key code plus shift/ctrl modifiers)
// runs which viewer command, with a name and a help line for each binding.
// One table serves the input dispatch, the F1 panel and `pilotsim view --help`.
#ifndef PS_VIEWER_KEYMAP_H
#define PS_VIEWER_KEYMAP_H

#include <stddef.h>

typedef enum ps_view_cmd {
    PS_CMD_NONE,
    PS_CMD_PAUSE,          // pause / run
    PS_CMD_STEP,           // one physics step (pauses)
    PS_CMD_REWIND,         // back to the previous history state (pauses)
    PS_CMD_RESET,          // new episode, same seed
    PS_CMD_RESET_NEXT,     // new episode, seed + 1
    PS_CMD_RELOAD,         // reload the scene now
    PS_CMD_SLOWER,         // halve the speed (down to 1/16)
    PS_CMD_FASTER,         // double the speed (up to 16)
    PS_CMD_REALTIME,       // speed 1
    PS_CMD_MAX_SPEED,      // as fast as possible
    PS_CMD_POLICY,         // policy on / off
    PS_CMD_FOLLOW,         // follow the selected body
    PS_CMD_CAMERA_VIEW,    // look through the next camera sensor (then the free camera again)
    PS_CMD_HOME,           // reset the view
    PS_CMD_DESELECT,       // clear the selection and the error banner
    PS_CMD_HELP,           // key map panel
    PS_CMD_PANELS,         // show / hide the side panels
    PS_CMD_SCREENSHOT,     // write pilotsim-view-N.png
    PS_CMD_QUIT,
    PS_CMD_MANUAL,         // manual control: the actuator sliders drive the robot
    PS_CMD_PLOTS,          // time plots window
    PS_CMD_PROFILER,       // profiler window
    PS_CMD_INSPECTOR,      // model tree and body inspector
    PS_CMD_OV_CONTACTS, PS_CMD_OV_JOINTS, PS_CMD_OV_COM, PS_CMD_OV_LIDAR, PS_CMD_OV_ZONES,
    PS_CMD_OV_VISUAL, PS_CMD_OV_GRID, PS_CMD_OV_SHADOWS,
    PS_CMD_DAYLIGHT,       // a dark scene (view.darkness, a camera's darkness) in daylight / as dark as it says
    PS_CMD_ACT_NEXT_ENTRY, PS_CMD_ACT_PREV_ENTRY, // teleop: select the action entry
    PS_CMD_ACT_NEXT_DIM, PS_CMD_ACT_PREV_DIM,     // teleop: select the value in the entry
    PS_CMD_ACT_INC, PS_CMD_ACT_DEC,               // teleop: +/- 10% of its range
    PS_CMD_ACT_ZERO,                              // teleop: all actions to 0
    PS_CMD_DRIVE_FWD, PS_CMD_DRIVE_BACK,          // held: value 0 of the entry at +max / -max
    PS_CMD_DRIVE_LEFT, PS_CMD_DRIVE_RIGHT,        // held: value 1 of the entry at +max / -max
    PS_CMD_COUNT
} ps_view_cmd;

enum { PS_KEYMOD_SHIFT = 1, PS_KEYMOD_CTRL = 2 }; // the same bits as GLFW_MOD_SHIFT, GLFW_MOD_CONTROL

typedef struct ps_key_binding {
    int key;              // GLFW_KEY_*
    int mods;             // PS_KEYMOD_* that must be held (others must not)
    ps_view_cmd cmd;
    const char *keys;     // how the key is written ("Shift+R")
    const char *help;
} ps_key_binding;

/// The bindings, in help order.
const ps_key_binding *ps_keymap(size_t *count);
/// The command bound to `key` with modifier bits `mods` (GLFW bits; only shift
/// and ctrl are compared), PS_CMD_NONE when unbound.
ps_view_cmd ps_keymap_lookup(int key, int mods);
/// Mouse and gamepad help lines (NULL-terminated), for the help texts.
const char *const *ps_keymap_mouse_help(void);
/// Parses a key name as scripts write it ("space", "f1", "a", "left",
/// "minus"...; case-insensitive) into a GLFW key code, -1 when unknown.
int ps_keymap_key_from_name(const char *name);

#endif
