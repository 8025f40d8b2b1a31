// image_io: PNGs read back with libpng equal what was written; videos decode
// back with libavformat/libavcodec to the frames written (count, size,
// colours, codec); bad paths, extensions and arguments fail naming the file.
#include "harness.h"
#include "pilotsim/image_io.h"

#include <png.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef PILOTSIM_HAVE_VIDEO
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#endif

static void test_png_roundtrip(void)
{
    // Odd width (row stride not a multiple of 4) and a pattern where every
    // channel of every pixel differs.
    const int w = 37, h = 23;
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)(x * 7);
            p[1] = (uint8_t)(y * 11);
            p[2] = (uint8_t)(x * y + 3);
        }
    char err[PS_ERR_LEN] = "";
    CHECK(ps_png_write("roundtrip.png", w, h, px, err, sizeof err) == PS_OK);
    CHECK_EQ(err[0], 0);

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    CHECK(png_image_begin_read_from_file(&img, "roundtrip.png"));
    CHECK_EQ(img.width, w);
    CHECK_EQ(img.height, h);
    img.format = PNG_FORMAT_RGB;
    uint8_t *back = malloc(PNG_IMAGE_SIZE(img));
    CHECK(png_image_finish_read(&img, NULL, back, 0, NULL));
    CHECK(memcmp(px, back, (size_t)w * h * 3) == 0);
    free(back);
    free(px);
    remove("roundtrip.png");
}

static void test_png_errors(void)
{
    uint8_t px[12] = {0};
    char err[PS_ERR_LEN] = "";
    CHECK(ps_png_write("no-such-dir/x.png", 2, 2, px, err, sizeof err) == PS_ERR_IO);
    CHECK(strstr(err, "no-such-dir/x.png") != NULL);
    CHECK(strstr(err, "cannot open for writing") != NULL);
    CHECK(ps_png_write("bad.png", 0, 2, px, err, sizeof err) == PS_ERR_INVALID);
    CHECK(strstr(err, "bad.png") && strstr(err, "invalid size 0x2"));
    CHECK(access("bad.png", F_OK) != 0);
    CHECK(ps_png_write("bad.png", 2, 2, NULL, err, sizeof err) == PS_ERR_INVALID);
    CHECK(ps_png_write("bad.png", -1, 2, px, NULL, 0) == PS_ERR_INVALID);  // no error buffer: still fails cleanly
}

#ifdef PILOTSIM_HAVE_VIDEO

static const uint8_t colours[][3] = {
    {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}, {0, 0, 0}, {255, 255, 0}, {40, 120, 200},
};
enum { NCOLOURS = sizeof colours / sizeof colours[0] };
// Largest channel error accepted after the yuv420p round trip (measured: up
// to 7 with MPEG-4 part 2); any two colours above differ by 40 or more.
enum { COLOUR_TOL = 16 };

// Frame i has four quadrants of different colours that change every frame,
// so a flipped, shifted or repeated frame shows up.
static const uint8_t *colour_at(int x, int y, int w, int h, int i)
{
    int quadrant = (x >= w / 2) + 2 * (y >= h / 2);
    return colours[(i + 2 * quadrant) % NCOLOURS];
}

static void fill_frame(uint8_t *px, int w, int h, int i)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) memcpy(px + ((size_t)y * w + x) * 3, colour_at(x, y, w, h, i), 3);
}

static bool write_video(const char *path, const char *encoder, int w, int h, double fps, int n, char *err,
                        size_t errlen)
{
    ps_video_writer *v = ps_video_open_codec(path, w, h, fps, encoder, err, errlen);
    if (!v) return false;
    uint8_t *px = malloc((size_t)w * h * 3);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        fill_frame(px, w, h, i);
        ok = ps_video_write(v, px, err, errlen) == PS_OK;
    }
    free(px);
    if (ok && ps_video_frame_count(v) != n) ok = false;
    bool closed = ps_video_close(v, err, errlen) == PS_OK;
    return ok && closed;
}

typedef struct decoded {
    int src_width, src_height;  // size of the frames written
    int frames, width, height;
    char codec[32];
    double fps;
    int bad_colour;        // frames whose centre/corner pixel is off
    double max_err;        // largest channel error seen
} decoded;

// Decodes every frame of the first video stream and compares pixels with the
// colours written for that frame.
static bool decode_video(const char *path, int src_width, int src_height, decoded *d)
{
    memset(d, 0, sizeof *d);
    d->src_width = src_width;
    d->src_height = src_height;
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) return false;
    bool ok = false;
    AVCodecContext *dec = NULL;
    AVFrame *fr = av_frame_alloc(), *rgb = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    struct SwsContext *sws = NULL;
    if (avformat_find_stream_info(fmt, NULL) < 0) goto done;
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0) goto done;
    AVStream *st = fmt->streams[si];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) goto done;
    snprintf(d->codec, sizeof d->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    d->fps = av_q2d(st->avg_frame_rate);
    dec = avcodec_alloc_context3(codec);
    if (avcodec_parameters_to_context(dec, st->codecpar) < 0 || avcodec_open2(dec, codec, NULL) < 0) goto done;
    bool draining = false;
    for (;;) {
        if (!draining) {
            int rc = av_read_frame(fmt, pkt);
            if (rc < 0) {
                draining = true;
                avcodec_send_packet(dec, NULL);
            } else {
                if (pkt->stream_index == si) avcodec_send_packet(dec, pkt);
                av_packet_unref(pkt);
            }
        }
        int rc;
        while ((rc = avcodec_receive_frame(dec, fr)) == 0) {
            d->width = fr->width;
            d->height = fr->height;
            if (!sws) {
                sws = sws_getContext(fr->width, fr->height, fr->format, fr->width, fr->height, AV_PIX_FMT_RGB24,
                                     SWS_POINT, NULL, NULL, NULL);
                // Tagged: the tag; untagged: what players guess from the size.
                bool hd = fr->colorspace == AVCOL_SPC_BT709 ||
                          (fr->colorspace == AVCOL_SPC_UNSPECIFIED && (fr->width >= 1280 || fr->height > 576));
                const int *coef = sws_getCoefficients(hd ? SWS_CS_ITU709 : SWS_CS_DEFAULT);
                sws_setColorspaceDetails(sws, coef, fr->color_range == AVCOL_RANGE_JPEG, coef, 1, 0, 1 << 16,
                                         1 << 16);
                rgb->format = AV_PIX_FMT_RGB24;
                rgb->width = fr->width;
                rgb->height = fr->height;
                if (av_frame_get_buffer(rgb, 0) < 0) goto done;
            }
            sws_scale(sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height, rgb->data, rgb->linesize);
            // Quadrant centres and the bottom-right corner (padding when a side
            // is odd: it repeats the last column/row).
            const int W = fr->width, H = fr->height, w = d->src_width, h = d->src_height;
            const int probe[5][2] = {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4},
                                     {W - 1, H - 1}};
            bool bad = false;
            for (int k = 0; k < 5; k++) {
                int x = probe[k][0], y = probe[k][1];
                const uint8_t *want = colour_at(x < w ? x : w - 1, y < h ? y : h - 1, w, h, d->frames);
                const uint8_t *p = rgb->data[0] + (size_t)y * rgb->linesize[0] + (size_t)x * 3;
                for (int c = 0; c < 3; c++) {
                    double e = fabs((double)p[c] - want[c]);
                    if (e > d->max_err) d->max_err = e;
                    if (e > COLOUR_TOL) bad = true;
                }
            }
            d->bad_colour += bad;
            d->frames++;
        }
        if (rc == AVERROR_EOF) break;
        if (rc != AVERROR(EAGAIN)) goto done;
    }
    ok = true;
done:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    av_frame_free(&rgb);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return ok;
}

// Writes n solid frames at 10 fps with `encoder` (NULL: automatic), decodes
// them and checks count, size, rate, colours and (when given) the codec.
static void check_video(const char *path, const char *encoder, int w, int h, int n, const char *codec)
{
    char err[PS_ERR_LEN] = "";
    bool wrote = write_video(path, encoder, w, h, 10.0, n, err, sizeof err);
    if (!CHECK(wrote)) fprintf(stderr, "  %s: %s\n", path, err);
    decoded d;
    bool dec = decode_video(path, w, h, &d);
    if (!CHECK(dec)) fprintf(stderr, "  cannot decode %s\n", path);
    CHECK_EQ(d.frames, n);
    CHECK_EQ(d.width, w + (w & 1));
    CHECK_EQ(d.height, h + (h & 1));
    CHECK_EQ(d.bad_colour, 0);
    CHECK(d.max_err <= COLOUR_TOL);
    CHECK_NEAR(d.fps, 10.0, 1e-6);
    if (codec) CHECK_HAS(d.codec, codec);
    printf("%s: %d frames %dx%d %s, largest colour error %.0f/255\n", path, d.frames, d.width, d.height, d.codec,
           d.max_err);
    remove(path);
}

static void test_video_roundtrip(void)
{
    bool x264 = avcodec_find_encoder_by_name("libx264") != NULL;
    check_video("solid.mp4", NULL, 64, 48, 21, x264 ? "h264" : "mpeg4");
    check_video("solid.mkv", NULL, 96, 64, 7, x264 ? "h264" : "mpeg4");
    check_video("solid.avi", NULL, 64, 48, 14, NULL);
    // The fallback encoder (MPEG-4 part 2), chosen explicitly.
    check_video("mpeg4.mp4", "mpeg4", 64, 48, 12, "mpeg4");
    // Odd sides: padded by one pixel, colours intact up to the edge.
    check_video("odd.mp4", NULL, 33, 25, 9, NULL);
    check_video("odd4.avi", "mpeg4", 33, 25, 5, "mpeg4");
    check_video("tiny.mp4", NULL, 1, 1, 3, NULL);
    // HD: BT.709 (and the default --video-size of pilotsim run).
    check_video("hd.mkv", NULL, 1280, 720, 4, NULL);
    check_video("hd4.avi", "mpeg4", 1280, 720, 3, "mpeg4");
}

static void test_video_errors(void)
{
    char err[PS_ERR_LEN] = "";
    CHECK(ps_video_open("no-such-dir/x.mp4", 64, 48, 30, err, sizeof err) == NULL);
    CHECK(strstr(err, "no-such-dir/x.mp4") && strstr(err, "cannot open for writing"));
    CHECK(ps_video_open("clip.nosuchext", 64, 48, 30, err, sizeof err) == NULL);
    CHECK(strstr(err, "clip.nosuchext") && strstr(err, "'.nosuchext'"));
    CHECK(ps_video_open("clip.mp4", 64, 48, 0, err, sizeof err) == NULL);
    CHECK(strstr(err, "clip.mp4") && strstr(err, "frame rate"));
    CHECK(ps_video_open("clip.mp4", 0, 48, 30, err, sizeof err) == NULL);
    CHECK(strstr(err, "invalid size 0x48"));
    CHECK(ps_video_open("clip.mp4", 64, 0, 30, NULL, 0) == NULL);  // no error buffer: fails cleanly
    CHECK(access("clip.mp4", F_OK) != 0);
    CHECK(access("clip.nosuchext", F_OK) != 0);
    CHECK(ps_video_open("frame.png", 64, 48, 30, err, sizeof err) == NULL);
    CHECK(strstr(err, "frame.png") && strstr(err, "image format"));
    CHECK(ps_video_open_codec("clip.mp4", 64, 48, 30, "nosuchcodec", err, sizeof err) == NULL);
    CHECK(strstr(err, "clip.mp4") && strstr(err, "'nosuchcodec'"));
    CHECK(ps_video_open("clip.gif", 64, 48, 30, err, sizeof err) == NULL);  // gif's encoder takes no yuv420p
    CHECK(strstr(err, "clip.gif") && strstr(err, "no video encoder"));
    CHECK(access("clip.mp4", F_OK) != 0 && access("clip.gif", F_OK) != 0 && access("frame.png", F_OK) != 0);
    CHECK(ps_video_close(NULL, err, sizeof err) == PS_OK);
    CHECK(ps_video_write(NULL, (const uint8_t *)"", err, sizeof err) == PS_ERR_INVALID);
    // A writer closed without frames still makes a valid (empty) file.
    ps_video_writer *v = ps_video_open("empty.mkv", 64, 48, 30, err, sizeof err);
    CHECK(v != NULL);
    CHECK(ps_video_close(v, err, sizeof err) == PS_OK);
    remove("empty.mkv");
}

#endif

int main(void)
{
    RUN(test_png_roundtrip);
    RUN(test_png_errors);
#ifdef PILOTSIM_HAVE_VIDEO
    CHECK(ps_video_available());
    RUN(test_video_roundtrip);
    RUN(test_video_errors);
#else
    char err[PS_ERR_LEN] = "";
    CHECK(!ps_video_available());
    CHECK(ps_video_open("x.mp4", 64, 48, 30, err, sizeof err) == NULL);
    CHECK(strstr(err, "built without video support") != NULL);
#endif
    return TEST_DONE();
}
