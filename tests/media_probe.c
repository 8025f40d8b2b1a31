// media_probe: reads what pilotsim wrote, for the shell tests.
//   media_probe png FILE X Y...   prints "W H" then "R G B" of each pixel (X, Y) (top-left origin)
//   media_probe video FILE        prints "frames=N width=W height=H codec=NAME fps=F" after
//                                 decoding every frame (libavformat + libavcodec)
// Exit status 0, or 1 with a message when the file cannot be read.
#include <png.h>
#include <stdbool.h>
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

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "png")) return probe_png(argv[2], argc - 3, argv + 3);
#ifdef PILOTSIM_HAVE_VIDEO
    if (argc == 3 && !strcmp(argv[1], "video")) return probe_video(argv[2]);
#endif
    fprintf(stderr, "usage: media_probe png FILE [X Y]... | media_probe video FILE\n");
    return 2;
}
