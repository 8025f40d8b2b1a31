// A small immediate-mode UI drawn with the renderer's 2D calls
// (ps_renderer_rect, ps_renderer_text, ps_renderer_image): collapsible panels
// stacked in a column, labels, buttons, checkboxes, sliders and plots. Each
// frame: ps_ui_begin, widgets, ps_ui_end. Mouse input comes from the viewer;
// ps_ui_wants_mouse tells it whether a click belongs to the UI (it hit a
// panel drawn in the previous frame). Pixels, top-left origin.
#ifndef PS_VIEWER_UI_H
#define PS_VIEWER_UI_H

#include "pilotsim/render.h"

enum { PS_UI_MAX_PANELS = 32, PS_UI_CHAR_W = 8, PS_UI_LINE_H = 16 };

typedef struct ps_ui_rect { int x, y, w, h; } ps_ui_rect;

typedef struct ps_ui {
    ps_renderer *r;        ///< NULL: widgets lay out and take input but draw nothing
    // input, set by the viewer
    double mx, my;         ///< cursor, framebuffer pixels
    bool down;             ///< left button held
    bool pressed;          ///< left button went down this frame (and the UI owns it)
    // layout
    int x, y, w;           ///< cursor of the current panel and its content width
    int col_x, col_y, col_w; ///< the panel column
    int col_end;           ///< where the column ended in the last frame, pixels (unscrolled: + scroll)
    int panel;             ///< index of the open panel, -1 outside
    ps_ui_rect rects[PS_UI_MAX_PANELS]; ///< panel rectangles of the last frame
    int rect_count, prev_rect_count;
    ps_ui_rect prev_rects[PS_UI_MAX_PANELS];
    /// The widgets laid out this frame (buttons, checkboxes, sliders, rows), for scripts
    /// that look them up by label (`widgets`): kind 'b', 'c', 's', 'r' or 'p' (a panel title).
    struct { char kind; char label[56]; ps_ui_rect r; } widgets[160];
    int widget_count;
    unsigned active;       ///< id of the widget being dragged, 0 none
    bool skip;             ///< the current panel is collapsed
} ps_ui;

/// Starts a frame: panels stack from (x, y) down in a column `w` wide.
void ps_ui_begin(ps_ui *ui, ps_renderer *r, int x, int y, int w);
void ps_ui_end(ps_ui *ui);
/// Marks the end of the panel column (before free-standing windows): its
/// height, `scroll` pixels scrolled up, is kept in col_end for the next frame.
void ps_ui_column_end(ps_ui *ui, int scroll);
/// True when (x, y) is over a panel of the previous frame or a widget is being dragged.
bool ps_ui_wants_mouse(const ps_ui *ui, double x, double y);

/// A panel with a clickable title bar that toggles `*open`. Returns *open
/// (widgets between begin and end are skipped when closed). `id` is unique per panel.
bool ps_ui_panel_begin(ps_ui *ui, const char *title, bool *open);
void ps_ui_panel_end(ps_ui *ui);
/// A free-standing panel at (x, y), w wide (help, error banner), no title bar toggling.
void ps_ui_window_begin(ps_ui *ui, int x, int y, int w, const float bg[4]);
void ps_ui_window_end(ps_ui *ui);

/// Text, word-wrapped to the panel width; '\n' breaks lines. printf-style.
void ps_ui_text(ps_ui *ui, const float rgba[4], const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/// A button; true when clicked this frame.
bool ps_ui_button(ps_ui *ui, const char *label);
/// A checkbox; true when toggled this frame.
bool ps_ui_checkbox(ps_ui *ui, const char *label, bool *value);
/// A horizontal slider over [lo, hi]; true when dragged to a new value this frame.
bool ps_ui_slider(ps_ui *ui, const char *label, double *value, double lo, double hi);
/// A selectable row of text (tree entries); highlighted when `selected`; true when clicked.
bool ps_ui_row(ps_ui *ui, const char *label, bool selected, const float rgba[4]);
/// Reserves a w x h area in the panel and returns it (for plots and images).
ps_ui_rect ps_ui_area(ps_ui *ui, int w, int h);
/// A filled rectangle (clipped to nothing outside panels; no input).
void ps_ui_fill(ps_ui *ui, int x, int y, int w, int h, const float rgba[4]);
/// A 2D line segment drawn as small squares (thickness `t` pixels).
void ps_ui_line(ps_renderer *r, double x0, double y0, double x1, double y1, int t, const float rgba[4]);

extern const float PS_UI_WHITE[4], PS_UI_GREY[4], PS_UI_RED[4], PS_UI_GREEN[4], PS_UI_YELLOW[4], PS_UI_CYAN[4];

#endif
