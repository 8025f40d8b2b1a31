/// @file sensor_image.h
/// Camera images as files: the conversions from the float buffers that camera
/// sensors and render passes produce (RGB 0..1, depth in m, segmentation ids)
/// to 8-bit and 16-bit pixels, and writing them as PNG. Needs no GL.
#ifndef PILOTSIM_SENSOR_IMAGE_H
#define PILOTSIM_SENSOR_IMAGE_H

#include "pilotsim/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The display colour of segmentation id `segment`: black for 0 (nothing, the
/// sky); positive ids (bodies) saturated and negative ids (static geoms) pale
/// colours, each id its own, with
/// neighbouring ids far apart in hue (a golden-ratio walk around the hue
/// circle, brightness and saturation varied per lap), so ids up to a few
/// hundred are told apart by eye and exactly by value.
void ps_segment_color(int32_t segment, uint8_t rgb[3]);

/// Depth in metres to millimetres for a 16-bit image: rounded, clamped to
/// 1..65535; 0 for no return (depth >= far_clip, not finite, or <= 0).
uint16_t ps_depth_to_mm(float depth_m, double far_clip);

/// What a camera image holds.
typedef enum ps_image_kind { PS_IMAGE_RGB, PS_IMAGE_DEPTH, PS_IMAGE_SEGMENTATION } ps_image_kind;

/// Writes a camera buffer as PNG: RGB (3 floats 0..1 per pixel) as 8-bit RGB;
/// DEPTH (1 float, m) as 16-bit grey in mm (ps_depth_to_mm with `far_clip`);
/// SEGMENTATION (1 float holding an integer id) as 8-bit RGB in
/// ps_segment_color's colours. `data` is width x height pixels, top row first
/// (borrowed). PS_OK; PS_ERR_INVALID (bad size, no data), PS_ERR_NOMEM or
/// PS_ERR_IO with a message naming the file in `err` (may be NULL).
ps_status ps_image_write_png(const char *path, ps_image_kind kind, int width, int height, const float *data,
                             double far_clip, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
