// media_probe: reads what pilotsim wrote, for the shell tests.
//   media_probe png FILE X Y...   prints "W H" then "R G B" of each pixel (X, Y) (top-left origin)
//   media_probe gray16 FILE X Y...  prints "W H" then the 16-bit grey value of each pixel
//   media_probe iou A B [X Y]...  silhouettes of two same-sized PNGs: a pixel is in one unless it
//                                 is black or the colour A has at one of the pixels (X, Y); prints
//                                 "iou=I a=N b=M" (I = |A and B| / |A or B|, N, M pixel counts)
//   media_probe video FILE        prints "frames=N width=W height=H codec=NAME fps=F" after
//                                 decoding every frame (libavformat + libavcodec)
// Exit status 0, or 1 with a message when the file cannot be read.
#include <png.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PILOTSIM_HAVE_VIDEO
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#endif

static int probe_png(const char *path, int argc, char **argv)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        fprintf(stderr, "media_probe: %s: %s\n", path, img.message);
        return 1;
    }
    img.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        fprintf(stderr, "media_probe: %s: %s\n", path, px ? img.message : "out of memory");
        free(px);
        return 1;
    }
    printf("%u %u\n", img.width, img.height);
    int rc = 0;
    for (int i = 0; i + 1 < argc; i += 2) {
        long x = strtol(argv[i], NULL, 10), y = strtol(argv[i + 1], NULL, 10);
        if (x < 0 || y < 0 || x >= (long)img.width || y >= (long)img.height) {
            fprintf(stderr, "media_probe: pixel (%ld, %ld) outside %ux%u\n", x, y, img.width, img.height);
            rc = 1;
            continue;
        }
        const unsigned char *p = px + ((size_t)y * img.width + (size_t)x) * 3;
        printf("%d %d %d\n", p[0], p[1], p[2]);
    }
    free(px);
    return rc;
}

#ifdef PILOTSIM_HAVE_VIDEO
static int probe_video(const char *path)
{
    AVFormatContext *fmt = NULL;
    int rc = avformat_open_input(&fmt, path, NULL, NULL);
    if (rc < 0) {
        char e[128];
        av_strerror(rc, e, sizeof e);
        fprintf(stderr, "media_probe: %s: %s\n", path, e);
        return 1;
    }
    int result = 1, frames = 0, width = 0, height = 0;
    AVCodecContext *dec = NULL;
    AVFrame *fr = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    if (avformat_find_stream_info(fmt, NULL) < 0) goto done;
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0) goto done;
    const AVCodec *codec = avcodec_find_decoder(fmt->streams[si]->codecpar->codec_id);
    if (!codec) goto done;
    dec = avcodec_alloc_context3(codec);
    if (avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar) < 0 || avcodec_open2(dec, codec, NULL) < 0)
        goto done;
    bool draining = false;
    for (;;) {
        if (!draining) {
            if (av_read_frame(fmt, pkt) < 0) {
                draining = true;
                avcodec_send_packet(dec, NULL);
            } else {
                if (pkt->stream_index == si) avcodec_send_packet(dec, pkt);
                av_packet_unref(pkt);
            }
        }
        int r;
        while ((r = avcodec_receive_frame(dec, fr)) == 0) {
            width = fr->width;
            height = fr->height;
            frames++;
        }
        if (r == AVERROR_EOF) break;
        if (r != AVERROR(EAGAIN)) goto done;
    }
    printf("frames=%d width=%d height=%d codec=%s fps=%g\n", frames, width, height, codec->name,
           av_q2d(fmt->streams[si]->avg_frame_rate));
    result = 0;
done:
    if (result) fprintf(stderr, "media_probe: %s: cannot decode the video stream\n", path);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return result;
}
#endif

// Reads a PNG as `format` (libpng's simplified API); NULL with a message.
static void *read_png(const char *path, png_uint_32 format, unsigned *w, unsigned *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        fprintf(stderr, "media_probe: %s: %s\n", path, img.message);
        return NULL;
    }
    img.format = format;
    void *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        fprintf(stderr, "media_probe: %s: %s\n", path, px ? img.message : "out of memory");
        free(px);
        return NULL;
    }
    *w = img.width;
    *h = img.height;
    return px;
}

static int probe_gray16(const char *path, int argc, char **argv)
{
    unsigned w, h;
    uint16_t *px = read_png(path, PNG_FORMAT_LINEAR_Y, &w, &h);
    if (!px) return 1;
    printf("%u %u\n", w, h);
    int rc = 0;
    for (int i = 0; i + 1 < argc; i += 2) {
        long x = strtol(argv[i], NULL, 10), y = strtol(argv[i + 1], NULL, 10);
        if (x < 0 || y < 0 || x >= (long)w || y >= (long)h) {
            fprintf(stderr, "media_probe: pixel (%ld, %ld) outside %ux%u\n", x, y, w, h);
            rc = 1;
            continue;
        }
        printf("%u\n", (unsigned)px[(size_t)y * w + (size_t)x]);
    }
    free(px);
    return rc;
}

static int probe_iou(const char *pa, const char *pb, int argc, char **argv)
{
    unsigned wa, ha, wb, hb;
    unsigned char *a = read_png(pa, PNG_FORMAT_RGB, &wa, &ha), *b = a ? read_png(pb, PNG_FORMAT_RGB, &wb, &hb) : NULL;
    if (!a || !b || wa != wb || ha != hb) {
        if (a && b) fprintf(stderr, "media_probe: %s is %ux%u, %s %ux%u\n", pa, wa, ha, pb, wb, hb);
        free(a);
        free(b);
        return 1;
    }
    enum { MAXBG = 16 };
    unsigned char bg[MAXBG + 1][3] = {{0, 0, 0}};
    int nbg = 1;
    for (int i = 0; i + 1 < argc && nbg <= MAXBG; i += 2) {
        long x = strtol(argv[i], NULL, 10), y = strtol(argv[i + 1], NULL, 10);
        if (x < 0 || y < 0 || x >= (long)wa || y >= (long)ha) {
            fprintf(stderr, "media_probe: pixel (%ld, %ld) outside %ux%u\n", x, y, wa, ha);
            free(a);
            free(b);
            return 1;
        }
        memcpy(bg[nbg++], a + ((size_t)y * wa + (size_t)x) * 3, 3);
    }
    size_t inter = 0, uni = 0, na = 0, nb = 0;
    for (size_t i = 0; i < (size_t)wa * ha; i++) {
        bool in[2] = {true, true};
        const unsigned char *p[2] = {a + 3 * i, b + 3 * i};
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < nbg; j++)
                if (!memcmp(p[k], bg[j], 3)) in[k] = false;
        na += in[0];
        nb += in[1];
        inter += in[0] && in[1];
        uni += in[0] || in[1];
    }
    printf("iou=%.4f a=%zu b=%zu\n", uni ? (double)inter / (double)uni : 0.0, na, nb);
    free(a);
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "png")) return probe_png(argv[2], argc - 3, argv + 3);
    if (argc >= 3 && !strcmp(argv[1], "gray16")) return probe_gray16(argv[2], argc - 3, argv + 3);
    if (argc >= 4 && !strcmp(argv[1], "iou")) return probe_iou(argv[2], argv[3], argc - 4, argv + 4);
#ifdef PILOTSIM_HAVE_VIDEO
    if (argc == 3 && !strcmp(argv[1], "video")) return probe_video(argv[2]);
#endif
    fprintf(stderr, "usage: media_probe png|gray16 FILE [X Y]... | media_probe iou A B [X Y]... | "
                    "media_probe video FILE\n");
    return 2;
}
