// Immediate-mode UI (see ui.h).
#include "ui.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const float PS_UI_WHITE[4] = {0.95f, 0.95f, 0.95f, 1};
const float PS_UI_GREY[4] = {0.65f, 0.67f, 0.7f, 1};
const float PS_UI_RED[4] = {1.0f, 0.35f, 0.3f, 1};
const float PS_UI_GREEN[4] = {0.4f, 0.9f, 0.45f, 1};
const float PS_UI_YELLOW[4] = {1.0f, 0.85f, 0.3f, 1};
const float PS_UI_CYAN[4] = {0.4f, 0.85f, 1.0f, 1};
static const float PANEL_BG[4] = {0.08f, 0.09f, 0.11f, 0.82f};
static const float TITLE_BG[4] = {0.18f, 0.22f, 0.3f, 0.95f};
static const float WIDGET_BG[4] = {0.25f, 0.27f, 0.32f, 1};
static const float WIDGET_HOT[4] = {0.35f, 0.4f, 0.5f, 1};
static const float ACCENT[4] = {0.35f, 0.65f, 1.0f, 1};

enum { PAD = 6 };

static void note_widget(ps_ui *ui, char kind, const char *label, ps_ui_rect r);

static bool inside(const ps_ui_rect *r, double x, double y)
{
    return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

static void rect(ps_ui *ui, int x, int y, int w, int h, const float c[4])
{
    if (ui->r && w > 0 && h > 0) ps_renderer_rect(ui->r, x, y, w, h, c);
}

static void text(ps_ui *ui, int x, int y, const float c[4], const char *s)
{
    if (ui->r && *s) ps_renderer_text(ui->r, x, y, 1.0f, c, s);
}

void ps_ui_begin(ps_ui *ui, ps_renderer *r, int x, int y, int w)
{
    ui->r = r;
    memcpy(ui->prev_rects, ui->rects, sizeof ui->rects);
    ui->prev_rect_count = ui->rect_count;
    ui->rect_count = 0;
    ui->col_x = x;
    ui->col_y = y;
    ui->col_w = w;
    ui->panel = -1;
    ui->widget_count = 0;
    if (!ui->down) ui->active = 0;
}

void ps_ui_end(ps_ui *ui) { ui->pressed = false; }

void ps_ui_column_end(ps_ui *ui, int scroll) { ui->col_end = ui->col_y + scroll; }

bool ps_ui_wants_mouse(const ps_ui *ui, double x, double y)
{
    if (ui->active) return true;
    for (int i = 0; i < ui->prev_rect_count; i++)
        if (inside(&ui->prev_rects[i], x, y)) return true;
    return false;
}

// The panel background is drawn at the height the panel had in the previous
// frame (immediate mode learns its height only at the end).
static int prev_height(const ps_ui *ui, int idx)
{
    return idx < ui->prev_rect_count ? ui->prev_rects[idx].h : 0;
}

static void open_region(ps_ui *ui, int x, int y, int w, const float bg[4])
{
    int idx = ui->rect_count < PS_UI_MAX_PANELS ? ui->rect_count++ : PS_UI_MAX_PANELS - 1;
    ui->panel = idx;
    ui->rects[idx] = (ps_ui_rect){x, y, w, 0};
    int h = prev_height(ui, idx);
    if (h > 0 && ui->prev_rects[idx].y == y) rect(ui, x, y, w, h, bg);
    ui->x = x + PAD;
    ui->y = y + PAD;
    ui->w = w - 2 * PAD;
}

bool ps_ui_panel_begin(ps_ui *ui, const char *title, bool *open)
{
    open_region(ui, ui->col_x, ui->col_y, ui->col_w, PANEL_BG);
    ps_ui_rect bar = {ui->col_x, ui->col_y, ui->col_w, PS_UI_LINE_H + 6};
    note_widget(ui, 'p', title, bar);
    rect(ui, bar.x, bar.y, bar.w, bar.h, TITLE_BG);
    char t[128];
    snprintf(t, sizeof t, "%s %s", *open ? "-" : "+", title);
    text(ui, bar.x + PAD, bar.y + 3, PS_UI_WHITE, t);
    if (ui->pressed && inside(&bar, ui->mx, ui->my)) {
        *open = !*open;
        ui->pressed = false;
    }
    ui->y = ui->col_y + bar.h + 4;
    ui->skip = !*open;
    if (ui->skip) ui->y = ui->col_y + bar.h - PAD;
    return *open;
}

static void close_region(ps_ui *ui)
{
    if (ui->panel < 0) return;
    ps_ui_rect *r = &ui->rects[ui->panel];
    r->h = ui->y + PAD - r->y;
    ui->panel = -1;
}

void ps_ui_panel_end(ps_ui *ui)
{
    close_region(ui);
    ps_ui_rect *r = &ui->rects[ui->rect_count - 1];
    ui->col_y = r->y + r->h + 4;
}

void ps_ui_window_begin(ps_ui *ui, int x, int y, int w, const float bg[4])
{
    open_region(ui, x, y, w, bg ? bg : PANEL_BG);
    ui->skip = false;
}

void ps_ui_window_end(ps_ui *ui) { close_region(ui); }

void ps_ui_text(ps_ui *ui, const float rgba[4], const char *fmt, ...)
{
    char raw[8192], buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    // Tabs (Lua tracebacks) to spaces up to the next multiple of 4 columns, before wrapping.
    size_t o = 0, col = 0;
    for (const char *q = raw; *q && o + 5 < sizeof buf; q++) {
        if (*q == '\t') {
            do buf[o++] = ' ';
            while (++col % 4);
        } else {
            buf[o++] = *q;
            col = *q == '\n' ? 0 : col + 1;
        }
    }
    buf[o] = '\0';
    int cols = ui->w / PS_UI_CHAR_W;
    if (cols < 8) cols = 8;
    // Word wrap: break at the last space before the column limit, or hard.
    const char *p = buf;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t take = len;
        if (take > (size_t)cols) {
            take = (size_t)cols;
            for (size_t k = take; k > (size_t)cols / 2; k--)
                if (p[k] == ' ') {
                    take = k;
                    break;
                }
        }
        char line[512];
        size_t n = take < sizeof line - 1 ? take : sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        text(ui, ui->x, ui->y, rgba ? rgba : PS_UI_WHITE, line);
        ui->y += PS_UI_LINE_H;
        p += take;
        if (*p == ' ' && take < len) p++;
        else if (take == len && nl) p++;
        if (ui->y > 100000) break;
    }
}

static void note_widget(ps_ui *ui, char kind, const char *label, ps_ui_rect r)
{
    if (ui->widget_count >= (int)(sizeof ui->widgets / sizeof ui->widgets[0])) return;
    ui->widgets[ui->widget_count].kind = kind;
    snprintf(ui->widgets[ui->widget_count].label, sizeof ui->widgets[0].label, "%s", label);
    ui->widgets[ui->widget_count++].r = r;
}

bool ps_ui_row(ps_ui *ui, const char *label, bool selected, const float rgba[4])
{
    ps_ui_rect b = {ui->x, ui->y, ui->w, PS_UI_LINE_H};
    if (selected) rect(ui, b.x - 2, b.y, b.w + 4, b.h, WIDGET_HOT);
    char t[160];
    snprintf(t, sizeof t, "%.*s", ui->w / PS_UI_CHAR_W, label);
    text(ui, b.x, b.y, rgba ? rgba : PS_UI_WHITE, t);
    note_widget(ui, 'r', label, b);
    ui->y += b.h;
    if (ui->pressed && inside(&b, ui->mx, ui->my)) {
        ui->pressed = false;
        return true;
    }
    return false;
}

static unsigned widget_id(const ps_ui *ui)
{
    return (unsigned)(ui->panel + 1) * 100003u + (unsigned)ui->y * 7u + 1u;
}

bool ps_ui_button(ps_ui *ui, const char *label)
{
    int w = (int)strlen(label) * PS_UI_CHAR_W + 12;
    ps_ui_rect b = {ui->x, ui->y, w, PS_UI_LINE_H + 4};
    note_widget(ui, 'b', label, b);
    bool hot = inside(&b, ui->mx, ui->my);
    rect(ui, b.x, b.y, b.w, b.h, hot ? WIDGET_HOT : WIDGET_BG);
    text(ui, b.x + 6, b.y + 2, PS_UI_WHITE, label);
    ui->y += b.h + 3;
    if (ui->pressed && hot) {
        ui->pressed = false;
        return true;
    }
    return false;
}

bool ps_ui_checkbox(ps_ui *ui, const char *label, bool *value)
{
    ps_ui_rect b = {ui->x, ui->y, ui->w, PS_UI_LINE_H + 2};
    note_widget(ui, 'c', label, b);
    rect(ui, b.x, b.y + 2, 12, 12, WIDGET_BG);
    if (*value) rect(ui, b.x + 3, b.y + 5, 6, 6, ACCENT);
    text(ui, b.x + 18, b.y + 1, PS_UI_WHITE, label);
    ui->y += b.h;
    if (ui->pressed && inside(&b, ui->mx, ui->my)) {
        ui->pressed = false;
        *value = !*value;
        return true;
    }
    return false;
}

bool ps_ui_slider(ps_ui *ui, const char *label, double *value, double lo, double hi)
{
    unsigned id = widget_id(ui);
    char t[160];
    snprintf(t, sizeof t, "%s %.3g", label, *value);
    text(ui, ui->x, ui->y, PS_UI_GREY, t);
    ui->y += PS_UI_LINE_H;
    ps_ui_rect b = {ui->x, ui->y, ui->w, 10};
    note_widget(ui, 's', label, b);
    ui->y += 14;
    rect(ui, b.x, b.y + 3, b.w, 4, WIDGET_BG);
    double f = hi > lo ? (*value - lo) / (hi - lo) : 0;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    rect(ui, b.x + (int)(f * (b.w - 8)), b.y, 8, 10, ui->active == id ? ACCENT : WIDGET_HOT);
    if (ui->pressed && inside(&b, ui->mx, ui->my)) {
        ui->active = id;
        ui->pressed = false;
    }
    if (ui->active == id && ui->down && hi > lo) {
        double nf = (ui->mx - b.x - 4) / (double)(b.w - 8);
        if (nf < 0) nf = 0;
        if (nf > 1) nf = 1;
        double nv = lo + nf * (hi - lo);
        if (nv != *value) {
            *value = nv;
            return true;
        }
    }
    return false;
}

ps_ui_rect ps_ui_area(ps_ui *ui, int w, int h)
{
    if (w > ui->w) w = ui->w;
    ps_ui_rect r = {ui->x, ui->y, w, h};
    ui->y += h + 4;
    return r;
}

void ps_ui_fill(ps_ui *ui, int x, int y, int w, int h, const float rgba[4]) { rect(ui, x, y, w, h, rgba); }

void ps_ui_line(ps_renderer *r, double x0, double y0, double x1, double y1, int t, const float rgba[4])
{
    if (!r) return;
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    int n = (int)(len / (t > 1 ? t * 0.5 : 1.0)) + 1;
    if (n > 4000) n = 4000;
    for (int i = 0; i <= n; i++) {
        double s = (double)i / n;
        ps_renderer_rect(r, (int)lround(x0 + dx * s - t * 0.5), (int)lround(y0 + dy * s - t * 0.5), t, t, rgba);
    }
}
