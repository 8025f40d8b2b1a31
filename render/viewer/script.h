// Scripted input for the viewer (tests, demos): a text file of timed
// synthetic events the viewer feeds, frame by frame, into the same entry
// points the GLFW callbacks use. One command per line, '#' starts a comment:
//
//   wait N                 let N frames pass
//   wait_steps N           wait until the episode has taken N steps (or ended)
//   wait_steps +N          wait until it has taken N more steps than when the wait began
//   wait_for COND [ARG]    wait until: `reloads N` (N successful reloads so far), `error`
//                          (an error banner is up), `no_error`, `paused`, `running`, `help`
//                          Waits fail the script (exit 3) after 120 s of wall time.
//   key NAME [MOD...]      press and release a key (space, f1, a, 0, left, tab, minus, ...);
//                          MOD: shift, ctrl, alt
//   keydown NAME [MOD...]  / keyup NAME [MOD...]   hold / release a key
//   move X Y               move the cursor (window pixels, top-left origin)
//   press BUTTON [MOD...]  / release BUTTON [MOD...]   BUTTON: left, right, middle
//   click BUTTON X Y [MOD...]          move, press, release (over two frames)
//   drag BUTTON X0 Y0 X1 Y1 N [MOD...] press at X0 Y0, move to X1 Y1 over N frames, release
//   scroll DY              scroll DY steps (positive: towards the screen, zoom in)
//   screenshot PATH        write what the window shows (PNG, or PPM if PATH ends in .ppm)
//   state                  print the viewer state on stdout ("view: state ...")
//   body NAME              print a body's position ("view: body NAME X Y Z")
//   widgets                print the last frame's widgets ("view: widget KIND X Y W H LABEL",
//                          window pixels)
//                          KIND button, checkbox, slider, row or panel (a title bar)
//   click_widget LABEL     left click the centre of the last frame's widget whose label
//                          starts with LABEL (the rest of the line); fails when none
//   set_slider F LABEL     left press on that slider at fraction F (0..1) of its track
//   inspect                print the selected body's inspector values ("view: inspect ...")
//   plots                  print the F3 plots' sample counts ("view: plots step_samples=N
//                          first_step=A last_step=B frames=F": samples taken, one per step)
//   gamepad LX LY RX RY    from this frame on, the first gamepad's sticks read these
//                          axes (-1..1 each; GLFW's convention: x right and y down
//                          positive), whether or not a gamepad is connected: the viewer
//                          drives the teleop actions with them as with a device's
//   gamepad off            the device's sticks again (none: the actions stay as they are)
//   quit                   close the viewer
#ifndef PS_VIEWER_SCRIPT_H
#define PS_VIEWER_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ps_script_op {
    PS_SOP_WAIT, PS_SOP_WAIT_STEPS, PS_SOP_WAIT_FOR, PS_SOP_KEY_DOWN, PS_SOP_KEY_UP, PS_SOP_MOVE, PS_SOP_PRESS, PS_SOP_RELEASE,
    PS_SOP_SCROLL, PS_SOP_SCREENSHOT, PS_SOP_STATE, PS_SOP_BODY, PS_SOP_WIDGETS, PS_SOP_WIDGET, PS_SOP_INSPECT, PS_SOP_PLOTS, PS_SOP_GAMEPAD, PS_SOP_QUIT,
} ps_script_op;

typedef enum ps_script_cond {
    PS_SCOND_RELOADS, PS_SCOND_ERROR, PS_SCOND_NO_ERROR, PS_SCOND_PAUSED, PS_SCOND_RUNNING, PS_SCOND_HELP,
} ps_script_cond;

typedef struct ps_script_event {
    ps_script_op op;
    int key, button, mods;   // GLFW codes and GLFW_MOD_* bits
    double x, y;             // cursor (window pixels); scroll: y = steps
    int cond;                // wait_for: PS_SCOND_*; wait_steps: 1 when relative (+N)
    long n;                  // wait: frames; wait_steps: steps; gamepad: 0 off, 1 axes
    float axes[4];           // gamepad: left x, left y, right x, right y
    char *arg;               // screenshot path, body name (owned)
    int line;                // source line, for messages
} ps_script_event;

typedef struct ps_script {
    ps_script_event *ev;
    size_t count, cap;
    size_t pc;               // next event
    long wait;               // frames still to wait
    double wait_since;       // wall s when the current wait_steps/wait_for began, < 0 none
    uint64_t step_base;      // episode steps when a relative wait_steps began
} ps_script;

/// Parses `path`. False with "file:line: message" in `err` on a bad command.
bool ps_script_load(ps_script *s, const char *path, char *err, size_t errlen);
void ps_script_free(ps_script *s);
/// True when every event has run.
bool ps_script_done(const ps_script *s);

#endif
