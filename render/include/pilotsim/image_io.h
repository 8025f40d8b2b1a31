/// @file image_io.h
/// Writing frames: PNG screenshots (libpng) and video files (libavformat and
/// libavcodec; the container follows the file extension, .mp4 uses H.264 when
/// available, else MPEG-4 part 2).
#ifndef PILOTSIM_IMAGE_IO_H
#define PILOTSIM_IMAGE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Writes an 8-bit RGB image (top row first). False with a message naming the file in `err`.
bool ps_png_write(const char *path, int width, int height, const uint8_t *rgb8, char *err, size_t errlen);

typedef struct ps_video_writer ps_video_writer;
/// Opens `path` for a width x height video at `fps` frames per second. NULL with a message in `err`.
ps_video_writer *ps_video_open(const char *path, int width, int height, double fps, char *err, size_t errlen);
/// Appends one RGB8 frame (top row first). False with a message in `err`.
bool ps_video_write(ps_video_writer *v, const uint8_t *rgb8, char *err, size_t errlen);
/// Flushes, writes the trailer and frees. False (message in `err`) when finishing the file failed.
bool ps_video_close(ps_video_writer *v, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
