/// @file image_io.h
/// Writing frames: PNG screenshots (libpng) and video files (libavformat and
/// libavcodec; the container follows the file extension, .mp4 uses H.264 when
/// available, else MPEG-4 part 2).
///
/// Video details: frames are converted to yuv420p (limited range; BT.709 from
/// 1280 pixels wide or above 576 high, else BT.601, as players assume for
/// untagged streams, and tagged so) with libswscale; H.264 goes through libx264 (preset veryfast, crf 20) when
/// libavcodec has it, for containers that take H.264 (.mp4, .mkv, .mov, .avi);
/// otherwise MPEG-4 part 2, otherwise the container's default encoder if it
/// takes yuv420p (.webm). yuv420p needs even sides: an odd width or height is
/// padded by one column/row repeating the last one, so the file is 1 pixel
/// wider/taller than the frames given. The first ps_video_open lowers libav's
/// log level from its default (info) to errors, once per process, so encoders
/// do not print statistics; a level set by the application is left alone.
/// Built without libav (PILOTSIM_VIDEO off), ps_video_open fails saying so.
///
/// Thread safety: a writer is used by one thread at a time; different writers
/// are independent.
#ifndef PILOTSIM_IMAGE_IO_H
#define PILOTSIM_IMAGE_IO_H

#include "pilotsim/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Writes an 8-bit RGB image (top row first, rows packed: 3 * width bytes), 1..16384
/// pixels a side. PS_OK; PS_ERR_INVALID (a bad size, no pixels or no name) or
/// PS_ERR_IO (the file cannot be written) with a message naming the file in `err`
/// (may be NULL); a partly written file is removed.
ps_status ps_png_write(const char *path, int width, int height, const uint8_t *rgb8, char *err, size_t errlen);
/// Writes a 16-bit greyscale image (top row first, rows packed: width values;
/// host byte order, stored as PNG's big-endian 16-bit samples unchanged, gamma
/// 1.0), as for depth in millimetres. Errors as ps_png_write.
ps_status ps_png_write_gray16(const char *path, int width, int height, const uint16_t *gray16, char *err, size_t errlen);

typedef struct ps_video_writer ps_video_writer;
/// True when built with video support (libav).
bool ps_video_available(void);

/// Opens `path` for a width x height video (1..16384 pixels a side) at `fps`
/// frames per second (0 < fps <= 1000; frame i has timestamp i / fps s). The
/// container follows the extension. NULL with a message naming the file and
/// what failed in `err` (may be NULL). Free with ps_video_close.
ps_video_writer *ps_video_open(const char *path, int width, int height, double fps, char *err, size_t errlen);
/// Like ps_video_open with a chosen libavcodec encoder by name ("libx264",
/// "mpeg4", "libvpx-vp9", ...; NULL or "" picks as ps_video_open does). Fails
/// naming the encoder when libavcodec lacks it or the container cannot hold it.
ps_video_writer *ps_video_open_codec(const char *path, int width, int height, double fps, const char *encoder,
                                     char *err, size_t errlen);
/// Appends one RGB8 frame of the size given to ps_video_open (top row first,
/// rows packed; borrowed for the call). PS_OK, or with a message in `err`:
/// PS_ERR_INVALID (no writer or pixels), PS_ERR_NOMEM, PS_ERR_IO (encoding or
/// writing failed), PS_ERR_STATE (an earlier write failed, or no video support);
/// after a failure the writer takes no more frames but must still be closed.
ps_status ps_video_write(ps_video_writer *v, const uint8_t *rgb8, char *err, size_t errlen);
/// Flushes, writes the trailer and frees (always, also on failure; NULL is a
/// no-op returning PS_OK). PS_ERR_IO (message in `err`) when finishing the file
/// failed or an earlier write had.
ps_status ps_video_close(ps_video_writer *v, char *err, size_t errlen);
/// Frames appended so far.
int64_t ps_video_frame_count(const ps_video_writer *v);

#ifdef __cplusplus
}
#endif
#endif
