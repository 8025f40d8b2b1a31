// PNG screenshots (libpng's simplified API) and video files (libavformat +
// libavcodec + libswscale). Without libav (PILOTSIM_HAVE_VIDEO undefined) the
// video calls fail with a message saying so; PNG is always available.
#define _POSIX_C_SOURCE 200809L  // strdup
#include "pilotsim/image_io.h"

#include <errno.h>
#include <limits.h>
#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Largest side accepted, so width * height * 3 never overflows and a typo
// (--video-size 1280x72000) fails early with a clear message.
enum { PS_IMAGE_MAX_SIDE = 16384 };

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

// Writes `px` (rows of `stride` bytes, top row first) in libpng's simplified `format`.
static ps_status png_write_format(const char *path, int width, int height, const void *px, png_uint_32 format,
                                  int stride, char *err, size_t errlen)
{
    if (!path || !*path) {
        set_err(err, errlen, "png: empty file name");
        return PS_ERR_INVALID;
    }
    if (width <= 0 || height <= 0 || width > PS_IMAGE_MAX_SIDE || height > PS_IMAGE_MAX_SIDE) {
        set_err(err, errlen, "png '%s': invalid size %dx%d (1..%d pixels a side)", path, width, height,
                PS_IMAGE_MAX_SIDE);
        return PS_ERR_INVALID;
    }
    if (!px) {
        set_err(err, errlen, "png '%s': no pixels", path);
        return PS_ERR_INVALID;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_err(err, errlen, "png '%s': cannot open for writing: %s", path, strerror(errno));
        return PS_ERR_IO;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)width;
    img.height = (png_uint_32)height;
    img.format = format;
    // libpng counts the stride in components (bytes, or uint16 for linear formats)
    int comp = (format & PNG_FORMAT_FLAG_LINEAR) ? 2 : 1;
    int ok = png_image_write_to_stdio(&img, f, 0, px, stride / comp, NULL);
    if (!ok) {
        set_err(err, errlen, "png '%s': libpng: %s", path, img.message);
        png_image_free(&img);
        fclose(f);
        remove(path);
        return PS_ERR_IO;
    }
    // A full disk shows up at flush/close, not in libpng's fwrite calls.
    if (fflush(f) != 0 || ferror(f)) {
        set_err(err, errlen, "png '%s': write failed: %s", path, strerror(errno));
        fclose(f);
        remove(path);
        return PS_ERR_IO;
    }
    if (fclose(f) != 0) {
        set_err(err, errlen, "png '%s': write failed: %s", path, strerror(errno));
        remove(path);
        return PS_ERR_IO;
    }
    return PS_OK;
}

ps_status ps_png_write(const char *path, int width, int height, const uint8_t *rgb8, char *err, size_t errlen)
{
    return png_write_format(path, width, height, rgb8, PNG_FORMAT_RGB, width * 3, err, errlen);
}

ps_status ps_png_write_gray16(const char *path, int width, int height, const uint16_t *gray16, char *err, size_t errlen)
{
    return png_write_format(path, width, height, gray16, PNG_FORMAT_LINEAR_Y, width * 2, err, errlen);
}

#ifdef PILOTSIM_HAVE_VIDEO

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <pthread.h>

bool ps_video_available(void) { return true; }

struct ps_video_writer {
    char *path;
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *stream;
    AVFrame *frame;          // yuv420p at the encoded (even) size
    AVPacket *pkt;
    struct SwsContext *sws;
    uint8_t *padded;         // RGB at the encoded size when width or height is odd, else NULL
    int width, height;       // input frame size
    int enc_width, enc_height;
    int64_t next_pts;
    bool io_open;            // fmt->pb opened by us
    bool header_written;
    bool failed;             // a write failed: no more frames, close still finishes what it can
};

// libav logs at INFO by default (libx264 prints a statistics block per file).
// Lower it to errors once, but only if nobody changed the default.
static void quiet_av_log(void)
{
    if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_ERROR);
}
static pthread_once_t quiet_log_once = PTHREAD_ONCE_INIT;

static void av_err_text(int code, char *buf, size_t n)
{
    if (av_strerror(code, buf, n) < 0) snprintf(buf, n, "libav error %d", code);
}

static void writer_free(ps_video_writer *v)
{
    if (!v) return;
    if (v->fmt) {
        if (v->io_open) avio_closep(&v->fmt->pb);
        avformat_free_context(v->fmt);
    }
    avcodec_free_context(&v->enc);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    sws_freeContext(v->sws);
    free(v->padded);
    free(v->path);
    free(v);
}

// Picks the encoder: H.264 (libx264) where the container takes it, else
// MPEG-4 part 2, else the container's own default if it encodes yuv420p.
static const AVCodec *pick_encoder(const AVOutputFormat *of)
{
    if (avformat_query_codec(of, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) == 1) {
        const AVCodec *c = avcodec_find_encoder_by_name("libx264");
        if (c) return c;
    }
    if (avformat_query_codec(of, AV_CODEC_ID_MPEG4, FF_COMPLIANCE_NORMAL) == 1) {
        const AVCodec *c = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
        if (c) return c;
    }
    if (of->video_codec != AV_CODEC_ID_NONE) {
        const AVCodec *c = avcodec_find_encoder(of->video_codec);
        if (c && c->pix_fmts) {
            for (const enum AVPixelFormat *p = c->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
                if (*p == AV_PIX_FMT_YUV420P) return c;
        }
    }
    return NULL;
}

// Sends `frame` (NULL flushes) and writes every packet the encoder returns.
static bool encode(ps_video_writer *v, AVFrame *frame, char *err, size_t errlen)
{
    char e[128];
    int rc = avcodec_send_frame(v->enc, frame);
    if (rc < 0) {
        av_err_text(rc, e, sizeof e);
        set_err(err, errlen, "video '%s': encoding frame %lld failed: %s", v->path, (long long)v->next_pts, e);
        return false;
    }
    for (;;) {
        rc = avcodec_receive_packet(v->enc, v->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return true;
        if (rc < 0) {
            av_err_text(rc, e, sizeof e);
            set_err(err, errlen, "video '%s': encoder failed: %s", v->path, e);
            return false;
        }
        av_packet_rescale_ts(v->pkt, v->enc->time_base, v->stream->time_base);
        v->pkt->stream_index = v->stream->index;
        rc = av_interleaved_write_frame(v->fmt, v->pkt);  // takes the packet's reference
        if (rc < 0) {
            av_err_text(rc, e, sizeof e);
            set_err(err, errlen, "video '%s': writing to the file failed: %s", v->path, e);
            return false;
        }
    }
}

ps_video_writer *ps_video_open(const char *path, int width, int height, double fps, char *err, size_t errlen)
{
    return ps_video_open_codec(path, width, height, fps, NULL, err, errlen);
}

ps_video_writer *ps_video_open_codec(const char *path, int width, int height, double fps, const char *encoder,
                                     char *err, size_t errlen)
{
    char e[128];
    int rc;
    if (!path || !*path) {
        set_err(err, errlen, "video: empty file name");
        return NULL;
    }
    if (width <= 0 || height <= 0 || width > PS_IMAGE_MAX_SIDE || height > PS_IMAGE_MAX_SIDE) {
        set_err(err, errlen, "video '%s': invalid size %dx%d (1..%d pixels a side)", path, width, height,
                PS_IMAGE_MAX_SIDE);
        return NULL;
    }
    if (!(fps > 0.0 && fps <= 1000.0)) {
        set_err(err, errlen, "video '%s': invalid frame rate %g (0 < fps <= 1000)", path, fps);
        return NULL;
    }
    pthread_once(&quiet_log_once, quiet_av_log);

    ps_video_writer *v = calloc(1, sizeof *v);
    if (!v || !(v->path = strdup(path))) {
        free(v);
        set_err(err, errlen, "video '%s': out of memory", path);
        return NULL;
    }
    v->width = width;
    v->height = height;
    // yuv420p halves chroma both ways: odd sides are padded by one pixel
    // (the last column/row repeated).
    v->enc_width = width + (width & 1);
    v->enc_height = height + (height & 1);

    // Guess first: avformat_alloc_output_context2 would also log its own error.
    rc = av_guess_format(NULL, path, NULL) ? avformat_alloc_output_context2(&v->fmt, NULL, NULL, path) : -1;
    if (rc < 0 || !v->fmt) {
        const char *dot = strrchr(path, '.');
        set_err(err, errlen, "video '%s': no container format for the extension '%s' (use .mp4, .mkv, .avi, .mov)",
                path, dot ? dot : "");
        writer_free(v);
        return NULL;
    }
    const AVOutputFormat *of = v->fmt->oformat;
    if (of->flags & AVFMT_NOFILE) {  // image2 (.png, .jpg): a numbered image sequence, not one file
        set_err(err, errlen, "video '%s': '%s' is an image format, not a video container (use .mp4, .mkv, .avi, .mov)",
                path, of->name);
        writer_free(v);
        return NULL;
    }
    const AVCodec *codec = NULL;
    if (encoder && *encoder) {
        codec = avcodec_find_encoder_by_name(encoder);
        if (!codec || codec->type != AVMEDIA_TYPE_VIDEO) {
            set_err(err, errlen, "video '%s': no video encoder named '%s' in this libavcodec", path, encoder);
            writer_free(v);
            return NULL;
        }
        if (avformat_query_codec(of, codec->id, FF_COMPLIANCE_NORMAL) == 0) {
            set_err(err, errlen, "video '%s': the container '%s' cannot hold %s video", path, of->name,
                    avcodec_get_name(codec->id));
            writer_free(v);
            return NULL;
        }
    } else {
        codec = pick_encoder(of);
    }
    if (!codec) {
        set_err(err, errlen, "video '%s': no video encoder for the container '%s' (use .mp4, .mkv, .avi, .mov)", path,
                of->name);
        writer_free(v);
        return NULL;
    }
    v->stream = avformat_new_stream(v->fmt, NULL);
    v->enc = avcodec_alloc_context3(codec);
    v->frame = av_frame_alloc();
    v->pkt = av_packet_alloc();
    if (!v->stream || !v->enc || !v->frame || !v->pkt) {
        set_err(err, errlen, "video '%s': out of memory", path);
        writer_free(v);
        return NULL;
    }
    AVRational rate = av_d2q(fps, 65535);  // MPEG-4 part 2 needs a denominator < 2^16
    if (rate.num <= 0 || rate.den <= 0) {
        set_err(err, errlen, "video '%s': frame rate %g is not representable", path, fps);
        writer_free(v);
        return NULL;
    }
    AVCodecContext *c = v->enc;
    c->width = v->enc_width;
    c->height = v->enc_height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = av_inv_q(rate);
    c->framerate = rate;
    c->gop_size = (int)(fps * 2.0 + 0.5) > 1 ? (int)(fps * 2.0 + 0.5) : 1;
    // Containers such as AVI with MPEG-4 part 2 keep no colour tags, and
    // players then guess from the size (BT.709 from 1280 wide or above 576
    // high, else BT.601): use the matrix they will guess, and tag it too.
    bool hd = c->width >= 1280 || c->height > 576;
    c->color_range = AVCOL_RANGE_MPEG;
    c->colorspace = hd ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    c->color_primaries = hd ? AVCOL_PRI_BT709 : AVCOL_PRI_SMPTE170M;
    c->color_trc = hd ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M;
    if (!strcmp(codec->name, "libx264")) {
        // veryfast: about twice the encoding speed of the default preset at a
        // slightly larger file; crf 20 looks clean for rendered scenes.
        av_opt_set(c->priv_data, "preset", "veryfast", 0);
        av_opt_set(c->priv_data, "crf", "20", 0);
    } else if (codec->id == AV_CODEC_ID_MPEG4) {
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * 3;
        c->max_b_frames = 0;
    } else {
        c->bit_rate = (int64_t)((double)c->width * c->height * fps * 0.15);  // ~0.15 bit per pixel
    }
    if (of->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    rc = avcodec_open2(c, codec, NULL);
    if (rc < 0) {
        av_err_text(rc, e, sizeof e);
        set_err(err, errlen, "video '%s': cannot open the %s encoder: %s", path, codec->name, e);
        writer_free(v);
        return NULL;
    }
    rc = avcodec_parameters_from_context(v->stream->codecpar, c);
    if (rc < 0) {
        av_err_text(rc, e, sizeof e);
        set_err(err, errlen, "video '%s': stream parameters: %s", path, e);
        writer_free(v);
        return NULL;
    }
    v->stream->time_base = c->time_base;
    v->stream->avg_frame_rate = rate;

    v->frame->format = c->pix_fmt;
    v->frame->width = c->width;
    v->frame->height = c->height;
    v->frame->color_range = c->color_range;
    v->frame->colorspace = c->colorspace;
    v->frame->color_primaries = c->color_primaries;
    v->frame->color_trc = c->color_trc;
    rc = av_frame_get_buffer(v->frame, 0);
    if (rc < 0) {
        set_err(err, errlen, "video '%s': out of memory", path);
        writer_free(v);
        return NULL;
    }
    v->sws = sws_getContext(c->width, c->height, AV_PIX_FMT_RGB24, c->width, c->height, AV_PIX_FMT_YUV420P,
                            SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!v->sws) {
        set_err(err, errlen, "video '%s': cannot set up the RGB to yuv420p conversion", path);
        writer_free(v);
        return NULL;
    }
    // Full-range RGB in, limited-range YUV out with the matrix tagged above.
    const int *coef = sws_getCoefficients(hd ? SWS_CS_ITU709 : SWS_CS_SMPTE170M);
    sws_setColorspaceDetails(v->sws, coef, 1, coef, 0, 0, 1 << 16, 1 << 16);
    if (v->enc_width != width || v->enc_height != height) {
        v->padded = malloc((size_t)v->enc_width * (size_t)v->enc_height * 3);
        if (!v->padded) {
            set_err(err, errlen, "video '%s': out of memory", path);
            writer_free(v);
            return NULL;
        }
    }
    if (!(of->flags & AVFMT_NOFILE)) {
        rc = avio_open(&v->fmt->pb, path, AVIO_FLAG_WRITE);
        if (rc < 0) {
            av_err_text(rc, e, sizeof e);
            set_err(err, errlen, "video '%s': cannot open for writing: %s", path, e);
            writer_free(v);
            return NULL;
        }
        v->io_open = true;
    }
    rc = avformat_write_header(v->fmt, NULL);
    if (rc < 0) {
        av_err_text(rc, e, sizeof e);
        set_err(err, errlen, "video '%s': writing the %s header failed: %s", path, of->name, e);
        writer_free(v);
        remove(path);
        return NULL;
    }
    v->header_written = true;
    return v;
}

ps_status ps_video_write(ps_video_writer *v, const uint8_t *rgb8, char *err, size_t errlen)
{
    if (!v || !rgb8) {
        set_err(err, errlen, "video: no %s", v ? "pixels" : "writer");
        return PS_ERR_INVALID;
    }
    if (v->failed) {
        set_err(err, errlen, "video '%s': an earlier write failed", v->path);
        return PS_ERR_STATE;
    }
    const uint8_t *src = rgb8;
    if (v->padded) {
        size_t in_row = (size_t)v->width * 3, out_row = (size_t)v->enc_width * 3;
        for (int y = 0; y < v->enc_height; y++) {
            const uint8_t *s = rgb8 + (size_t)(y < v->height ? y : v->height - 1) * in_row;
            uint8_t *d = v->padded + (size_t)y * out_row;
            memcpy(d, s, in_row);
            if (v->enc_width != v->width) memcpy(d + in_row, s + in_row - 3, 3);
        }
        src = v->padded;
    }
    // The encoder may still hold a reference to the last frame's buffers.
    int rc = av_frame_make_writable(v->frame);
    if (rc < 0) {
        set_err(err, errlen, "video '%s': out of memory", v->path);
        v->failed = true;
        return PS_ERR_NOMEM;
    }
    const uint8_t *const planes[1] = {src};
    const int strides[1] = {v->enc_width * 3};
    sws_scale(v->sws, planes, strides, 0, v->enc_height, v->frame->data, v->frame->linesize);
    v->frame->pts = v->next_pts;
    if (!encode(v, v->frame, err, errlen)) {
        v->failed = true;
        return PS_ERR_IO;
    }
    v->next_pts++;
    return PS_OK;
}

ps_status ps_video_close(ps_video_writer *v, char *err, size_t errlen)
{
    if (!v) return PS_OK;
    bool ok = !v->failed;
    if (ok) ok = encode(v, NULL, err, errlen);
    if (v->header_written) {
        int rc = av_write_trailer(v->fmt);
        if (rc < 0 && ok) {
            char e[128];
            av_err_text(rc, e, sizeof e);
            set_err(err, errlen, "video '%s': writing the trailer failed: %s", v->path, e);
            ok = false;
        }
    }
    if (v->io_open) {
        // avio_closep flushes the buffered tail of the file: check it.
        if (v->fmt->pb && v->fmt->pb->error < 0 && ok) {
            char e[128];
            av_err_text(v->fmt->pb->error, e, sizeof e);
            set_err(err, errlen, "video '%s': write failed: %s", v->path, e);
            ok = false;
        }
        int rc = avio_closep(&v->fmt->pb);
        v->io_open = false;
        if (rc < 0 && ok) {
            char e[128];
            av_err_text(rc, e, sizeof e);
            set_err(err, errlen, "video '%s': closing the file failed: %s", v->path, e);
            ok = false;
        }
    }
    writer_free(v);
    return ok ? PS_OK : PS_ERR_IO;
}

int64_t ps_video_frame_count(const ps_video_writer *v) { return v ? v->next_pts : 0; }

#else  // !PILOTSIM_HAVE_VIDEO

bool ps_video_available(void) { return false; }

ps_video_writer *ps_video_open(const char *path, int width, int height, double fps, char *err, size_t errlen)
{
    return ps_video_open_codec(path, width, height, fps, NULL, err, errlen);
}

ps_video_writer *ps_video_open_codec(const char *path, int width, int height, double fps, const char *encoder,
                                     char *err, size_t errlen)
{
    (void)encoder;
    (void)width;
    (void)height;
    (void)fps;
    set_err(err, errlen,
            "video '%s': built without video support (PILOTSIM_VIDEO=OFF; it needs libavcodec, libavformat and "
            "libswscale)",
            path ? path : "");
    return NULL;
}

ps_status ps_video_write(ps_video_writer *v, const uint8_t *rgb8, char *err, size_t errlen)
{
    (void)v;
    (void)rgb8;
    set_err(err, errlen, "video: built without video support");
    return PS_ERR_STATE;
}

ps_status ps_video_close(ps_video_writer *v, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    return PS_OK;
}

int64_t ps_video_frame_count(const ps_video_writer *v)
{
    (void)v;
    return 0;
}

#endif
