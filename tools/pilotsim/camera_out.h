// pilotsim run --camera-out DIR: writes every new camera sensor sample as an
// image file, by the CLI (the scene needs no file access, so no --trusted):
// DIR/<camera>/<frame>.png (RGB 8-bit; depth 16-bit grey in mm, 0 = nothing
// hit; segmentation ids in distinct colours, see sensor_image.h) and one line
// per file in DIR/frames.csv (camera,kind,frame,time,step,file). Only reads the
// world: the state hash is unchanged.
#ifndef PS_CAMERA_OUT_H
#define PS_CAMERA_OUT_H

#include "pilotsim/world.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct camera_out camera_out;

// Creates DIR (one level) if missing and DIR/frames.csv. NULL with a message naming the path.
camera_out *camera_out_open(const char *dir, char *err, size_t errlen);
// Writes the samples of `w`'s cameras taken since the last call (after a step).
// False with a message naming the file on a write error.
bool camera_out_write_new(camera_out *c, const ps_world *w, char *err, size_t errlen);
// One line on `f`: how many images were written where.
void camera_out_report(const camera_out *c, FILE *f);
void camera_out_close(camera_out *c);  // NULL is a no-op

#endif
