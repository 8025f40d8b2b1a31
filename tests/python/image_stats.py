"""Pixel statistics of screenshots for the shell tests (Debian's /usr/bin/python3, no PIL).

usage:
  image_stats.py mean IMAGE X0 Y0 X1 Y1      mean R G B of the rectangle [X0, X1) x [Y0, Y1)
  image_stats.py diff A B X0 Y0 X1 Y1        mean absolute difference of A and B there (0..255)
  image_stats.py cells IMAGE X0 Y0 X1 Y1 N   the rectangle cut into N x N cells: each cell's
                                             mean R G B, one cell a line, row by row
IMAGE: binary PPM (P6, the viewer's screenshots) or 8-bit RGB / RGBA / grey PNG
(`pilotsim run --screenshot`). X1 and Y1 of -1: the image's width and height.
"""
import struct
import sys
import zlib


def read_ppm(data):
    magic, dims, _maxval, px = data.split(b'\n', 3)
    if magic != b'P6':
        raise SystemExit('not a binary PPM')
    w, h = map(int, dims.split())
    return w, h, 3, px[:w * h * 3]


def read_png(data):
    pos, idat, w, h, ch = 8, b'', 0, 0, 3
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if depth != 8:
                raise SystemExit('only 8-bit PNG')
            ch = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b'IDAT':
            idat += body
    raw = zlib.decompress(idat)
    stride = w * ch
    out = bytearray()
    prev = bytearray(stride)
    p = 0
    for _ in range(h):
        f = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return w, h, ch, bytes(out)


def load(path):
    data = open(path, 'rb').read()
    return read_png(data) if data[:8] == b'\x89PNG\r\n\x1a\n' else read_ppm(data)


def rgb(img, x, y):
    w, _h, ch, px = img
    i = (y * w + x) * ch
    return (px[i], px[i], px[i]) if ch == 1 else tuple(px[i:i + 3])


def rect(img, args):
    x0, y0, x1, y1 = map(int, args)
    return x0, y0, img[0] if x1 < 0 else x1, img[1] if y1 < 0 else y1


def mean(img, x0, y0, x1, y1):
    s, n = [0, 0, 0], 0
    for y in range(y0, y1):
        for x in range(x0, x1):
            p = rgb(img, x, y)
            for c in range(3):
                s[c] += p[c]
            n += 1
    return [v / max(n, 1) for v in s]


def main(argv):
    cmd = argv[1]
    if cmd == 'mean':
        img = load(argv[2])
        print(' '.join('%.2f' % v for v in mean(img, *rect(img, argv[3:7]))))
    elif cmd == 'diff':
        a, b = load(argv[2]), load(argv[3])
        if a[:2] != b[:2]:
            raise SystemExit('sizes differ: %dx%d and %dx%d' % (a[0], a[1], b[0], b[1]))
        x0, y0, x1, y1 = rect(a, argv[4:8])
        s, n = 0, 0
        for y in range(y0, y1):
            for x in range(x0, x1):
                s += sum(abs(p - q) for p, q in zip(rgb(a, x, y), rgb(b, x, y)))
                n += 3
        print('%.3f' % (s / max(n, 1)))
    elif cmd == 'cells':
        img = load(argv[2])
        x0, y0, x1, y1 = rect(img, argv[3:7])
        k = int(argv[7])
        for j in range(k):
            for i in range(k):
                cx0, cx1 = x0 + (x1 - x0) * i // k, x0 + (x1 - x0) * (i + 1) // k
                cy0, cy1 = y0 + (y1 - y0) * j // k, y0 + (y1 - y0) * (j + 1) // k
                print(' '.join('%.1f' % v for v in mean(img, cx0, cy0, cx1, cy1)))
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
