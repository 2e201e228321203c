/*
 * The C accelerator of the compiled build: the loops mypyc cannot make fast, because they
 * make one object from many bytes: a str from modified UTF-8, modified UTF-8 from a str.
 *
 * Every function here handles only the input it is sure of and otherwise answers None, so
 * that the Python code, which is the fallback everywhere, decides and raises its own
 * errors: the two builds cannot disagree on a message. Every offset is checked against the
 * buffer before a byte is read.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(_MSC_VER)
#include <stdlib.h>
#define BSWAP64(x) _byteswap_uint64(x)
#else
#define BSWAP64(x) __builtin_bswap64(x)
#endif
/* Non-temporal stores (x86-64, where SSE2 is always there): the records' output goes
 * straight to memory without first reading each cache line it overwrites. */
#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define HAVE_STREAM 1
/* Byte shuffles need more than the x86-64 baseline: pshufb SSSE3, vpermt2b AVX-512 VBMI.
 * GCC and Clang compile each function that uses them for its instruction set, and it runs
 * only where the CPU (and the OS, for AVX-512's registers) says it can. Not clang-cl, whose
 * default runtime lacks what __builtin_cpu_supports calls. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(_MSC_VER)
#include <immintrin.h>
#define HAVE_SHUFFLE 1
#endif
#endif

/* A read-only view of a bytes-like object; bytes (what DataInputStream holds) needs no
 * buffer request. */
typedef struct {
    const unsigned char *data;
    Py_ssize_t size;
    Py_buffer view;
    int has_view;
} Bytes;

static int
bytes_open(PyObject *obj, Bytes *out)
{
    out->has_view = 0;
    if (PyBytes_CheckExact(obj)) {
        out->data = (const unsigned char *)PyBytes_AS_STRING(obj);
        out->size = PyBytes_GET_SIZE(obj);
        return 0;
    }
    if (PyObject_GetBuffer(obj, &out->view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    out->has_view = 1;
    out->data = (const unsigned char *)out->view.buf;
    out->size = out->view.len;
    return 0;
}

static void
bytes_close(Bytes *b)
{
    if (b->has_view) {
        PyBuffer_Release(&b->view);
        b->has_view = 0;
    }
}

/* -- modified UTF-8 -> str ------------------------------------------------------------ */

/* The str Java's readUTF makes of s[0:n], or NULL with no exception set where the Python
 * decoder must decide: a malformed group (Java throws) or a surrogate (Python joins valid
 * pairs). Java's groups: 0xxxxxxx, 110xxxxx 10xxxxxx, 1110xxxx 10xxxxxx 10xxxxxx, overlong
 * forms and raw 00 included. */
static PyObject *
decode_span(const unsigned char *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n && s[i] < 0x80) {
        i++;
    }
    if (i == n) {
        PyObject *text = PyUnicode_New(n, 127);
        if (text != NULL) {
            memcpy(PyUnicode_DATA(text), s, (size_t)n);
        }
        return text;
    }
    Py_ssize_t units = i;
    unsigned int maxchar = 0x7F;
    while (i < n) {
        unsigned int c = s[i];
        unsigned int ch;
        if (c < 0x80) {
            i += 1;
            ch = c;
        }
        else if ((c >> 5) == 0x6) {
            if (n - i < 2 || (s[i + 1] & 0xC0) != 0x80) {
                return NULL;
            }
            ch = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i += 2;
        }
        else if ((c >> 4) == 0xE) {
            if (n - i < 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) {
                return NULL;
            }
            ch = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            if (ch >= 0xD800 && ch <= 0xDFFF) {
                return NULL;
            }
            i += 3;
        }
        else {
            return NULL;
        }
        if (ch > maxchar) {
            maxchar = ch;
        }
        units++;
    }
    PyObject *text = PyUnicode_New(units, maxchar);
    if (text == NULL) {
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    void *data = PyUnicode_DATA(text);
    Py_ssize_t k = 0;
    /* The groups were checked above: no test is needed again. */
    for (i = 0; i < n; k++) {
        unsigned int c = s[i];
        unsigned int ch;
        if (c < 0x80) {
            ch = c;
            i += 1;
        }
        else if ((c >> 5) == 0x6) {
            ch = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i += 2;
        }
        else {
            ch = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            i += 3;
        }
        PyUnicode_WRITE(kind, data, k, ch);
    }
    return text;
}

static int
span_args(PyObject *const *args, Py_ssize_t nargs, const char *name, Py_ssize_t nwanted)
{
    if (nargs != nwanted) {
        PyErr_Format(PyExc_TypeError, "%s takes %zd arguments (%zd given)", name, nwanted, nargs);
        return -1;
    }
    return 0;
}

static int
check_span(Py_ssize_t start, Py_ssize_t end, Py_ssize_t size)
{
    if (start < 0 || end < start || end > size) {
        PyErr_Format(PyExc_ValueError, "span %zd:%zd outside a buffer of %zd bytes",
                     start, end, size);
        return -1;
    }
    return 0;
}

/* decode_span of obj[start:end] once the span is checked; None where Python decides. With
 * end < 0, the span is the string Java's writeUTF wrote at start: its length, then itself. */
static PyObject *
decode_in(PyObject *obj, Py_ssize_t start, Py_ssize_t end)
{
    Bytes buf;
    if (bytes_open(obj, &buf) < 0) {
        return NULL;
    }
    PyObject *text = NULL;
    if (end < 0) {
        if (start < 0 || start > buf.size - 2) {
            PyErr_Format(PyExc_ValueError, "length at %zd outside a buffer of %zd bytes",
                         start, buf.size);
            goto done;
        }
        end = start + 2 + ((buf.data[start] << 8) | buf.data[start + 1]);
        start += 2;
    }
    if (check_span(start, end, buf.size) == 0) {
        text = decode_span(buf.data + start, end - start);
        if (text == NULL && !PyErr_Occurred()) {
            text = Py_NewRef(Py_None);
        }
    }
done:
    bytes_close(&buf);
    return text;
}

PyDoc_STRVAR(decode_doc,
"decode(buf, start, end)\n--\n\n"
"The str Java's readUTF makes of buf[start:end], or None where Python must decide\n"
"(malformed input, surrogates).");

static PyObject *
decode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (span_args(args, nargs, "decode", 3) < 0) {
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    Py_ssize_t end = PyLong_AsSsize_t(args[2]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (end < 0) {  /* not the read_utf form: refused as a span */
        return check_span(start, end, 0) < 0 ? NULL : Py_NewRef(Py_None);
    }
    return decode_in(args[0], start, end);
}

PyDoc_STRVAR(read_utf_doc,
"read_utf(buf, pos)\n--\n\n"
"decode() of the string Java's writeUTF wrote at buf[pos:]: its 2-byte length, then the\n"
"bytes; the caller has checked that they are all in buf (ValueError otherwise).");

static PyObject *
read_utf(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (span_args(args, nargs, "read_utf", 2) < 0) {
        return NULL;
    }
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return decode_in(args[0], pos, -1);
}

/* -- str -> length-prefixed modified UTF-8 ---------------------------------------------- */

#define UTF_MAX 0xFFFF

/* Bytes of one code point in modified UTF-8: NUL takes 2, a character above U+FFFF is two
 * 3-byte surrogates. */
#define UNIT_BYTES(ch) \
    ((ch) == 0 ? 2 : (ch) < 0x80 ? 1 : (ch) < 0x800 ? 2 : (ch) <= 0xFFFF ? 3 : 6)

static unsigned char *
put_unit(unsigned char *p, Py_UCS4 ch)
{
    if (ch != 0 && ch < 0x80) {
        *p++ = (unsigned char)ch;
    }
    else if (ch < 0x800) {
        *p++ = (unsigned char)(0xC0 | (ch >> 6));
        *p++ = (unsigned char)(0x80 | (ch & 0x3F));
    }
    else {
        *p++ = (unsigned char)(0xE0 | (ch >> 12));
        *p++ = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
        *p++ = (unsigned char)(0x80 | (ch & 0x3F));
    }
    return p;
}

PyDoc_STRVAR(encode_doc,
"encode(text)\n--\n\n"
"Java's writeUTF bytes of text (2-byte length, then modified UTF-8), or None if the\n"
"encoding is longer than 65535 bytes (nothing is allocated then).");

static PyObject *
encode(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "encode: expected a str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > UTF_MAX) {
        Py_RETURN_NONE;  /* each character takes at least one byte */
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = 0;
    if (PyUnicode_IS_ASCII(text)) {
        const unsigned char *s = (const unsigned char *)data;
        size = n;
        for (Py_ssize_t i = 0; i < n; i++) {
            size += s[i] == 0;
        }
    }
    else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            size += UNIT_BYTES(ch);
        }
    }
    if (size > UTF_MAX) {
        Py_RETURN_NONE;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, size + 2);
    if (out == NULL) {
        return NULL;
    }
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(out);
    *p++ = (unsigned char)(size >> 8);
    *p++ = (unsigned char)(size & 0xFF);
    if (size == n) {  /* ASCII without NUL: its own modified UTF-8 */
        memcpy(p, data, (size_t)n);
        return out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch > 0xFFFF) {
            ch -= 0x10000;
            p = put_unit(p, 0xD800 | (ch >> 10));
            p = put_unit(p, 0xDC00 | (ch & 0x3FF));
        }
        else {
            p = put_unit(p, ch);
        }
    }
    return out;
}

/* -- records with utf fields -------------------------------------------------------------- */

PyDoc_STRVAR(parse_segment_doc,
"parse_segment(gaps, tail, buf, pos, limit, wanted, slow_decode)\n--\n\n"
"records.parse_segment in C: (count, end, starts, strings), starts being each record's\n"
"offset in buf as native int64 bytes. A string this module does not decode goes to\n"
"slow_decode(bytes), which returns it or raises.");

static PyObject *
parse_segment(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (span_args(args, nargs, "parse_segment", 7) < 0) {
        return NULL;
    }
    PyObject *gaps_obj = args[0];
    if (!PyList_Check(gaps_obj) || PyList_GET_SIZE(gaps_obj) < 1) {
        PyErr_SetString(PyExc_TypeError, "parse_segment: gaps must be a non-empty list");
        return NULL;
    }
    Py_ssize_t nstrings = PyList_GET_SIZE(gaps_obj);
    Py_ssize_t tail = PyLong_AsSsize_t(args[1]);
    Py_ssize_t pos = PyLong_AsSsize_t(args[3]);
    Py_ssize_t limit = PyLong_AsSsize_t(args[4]);
    Py_ssize_t wanted = PyLong_AsSsize_t(args[5]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    PyObject *slow = args[6];
    Py_ssize_t *gaps = PyMem_New(Py_ssize_t, nstrings);
    if (gaps == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < nstrings; k++) {
        gaps[k] = PyLong_AsSsize_t(PyList_GET_ITEM(gaps_obj, k));
        if ((gaps[k] < 0 || gaps[k] > 0xFFFFFF) && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "parse_segment: bad gap");
        }
        if (PyErr_Occurred()) {
            PyMem_Free(gaps);
            return NULL;
        }
    }
    Bytes buf;
    if (bytes_open(args[2], &buf) < 0) {
        PyMem_Free(gaps);
        return NULL;
    }
    PyObject *strings = NULL, *result = NULL;
    int64_t *starts = NULL;
    Py_ssize_t capacity = 0;
    if (tail < 0 || tail > 0xFFFFFF) {
        PyErr_SetString(PyExc_ValueError, "parse_segment: bad tail");
        goto done;
    }
    if (check_span(pos, limit, buf.size) < 0) {
        goto done;
    }
    strings = PyList_New(nstrings);
    if (strings == NULL) {
        goto done;
    }
    for (Py_ssize_t k = 0; k < nstrings; k++) {
        PyObject *column = PyList_New(0);
        if (column == NULL) {
            goto done;
        }
        PyList_SET_ITEM(strings, k, column);
    }
    const unsigned char *s = buf.data;
    Py_ssize_t count = 0;
    while (count != wanted) {
        Py_ssize_t start = pos;
        Py_ssize_t column = 0;
        /* Every comparison is against limit - pos (>= 0): no sum can overflow. */
        while (column < nstrings) {
            if (limit - pos < gaps[column] + 2) {
                break;
            }
            pos += gaps[column];
            Py_ssize_t end = pos + 2 + ((s[pos] << 8) | s[pos + 1]);
            if (end > limit) {
                break;
            }
            PyObject *text = decode_span(s + pos + 2, end - pos - 2);
            if (text == NULL) {
                if (PyErr_Occurred()) {
                    goto done;
                }
                PyObject *raw = PyBytes_FromStringAndSize((const char *)s + pos + 2,
                                                          end - pos - 2);
                if (raw == NULL) {
                    goto done;
                }
                text = PyObject_CallOneArg(slow, raw);
                Py_DECREF(raw);
                if (text == NULL) {
                    goto done;
                }
            }
            int failed = PyList_Append(PyList_GET_ITEM(strings, column), text);
            Py_DECREF(text);
            if (failed) {
                goto done;
            }
            column++;
            pos = end;
        }
        if (column < nstrings || limit - pos < tail) {
            /* Strings of a partial record were appended before it ran out: drop them. */
            for (Py_ssize_t k = 0; k < column; k++) {
                PyObject *list = PyList_GET_ITEM(strings, k);
                if (PyList_SetSlice(list, PyList_GET_SIZE(list) - 1, PyList_GET_SIZE(list),
                                    NULL) < 0) {
                    goto done;
                }
            }
            pos = start;
            break;
        }
        pos += tail;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            int64_t *grown = PyMem_Resize(starts, int64_t, (size_t)capacity);
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            starts = grown;
        }
        starts[count++] = start;
    }
    PyObject *offsets = PyBytes_FromStringAndSize((const char *)starts,
                                                  count * (Py_ssize_t)sizeof(int64_t));
    if (offsets != NULL) {
        result = Py_BuildValue("(nnNO)", count, pos, offsets, strings);
    }
done:
    PyMem_Free(starts);
    Py_XDECREF(strings);
    bytes_close(&buf);
    PyMem_Free(gaps);
    return result;
}


/* -- fixed-width records: big-endian wire bytes -> a native structured array ------------------ */

#define MAX_UNROLLED 8

/* One field of a record, by the same operation whatever its width w (1, 2, 4 or 8): the 8
 * bytes that end where the field ends, byte-swapped, stored at the field's offset. The
 * field is then the low w bytes in native order; the 8 - w bytes beyond it are overwritten
 * by the next field (or record), as the fields are converted in order. The load starts up to
 * 7 bytes before the field, so the buffer's first 8 records (at least 8 bytes) are converted
 * from a copy with 8 bytes in front. */
#define FIELD(j) \
    do { \
        uint64_t v_; \
        memcpy(&v_, s + lo##j, 8); \
        v_ = BSWAP64(v_); \
        memcpy(q + so##j, &v_, 8); \
    } while (0)

typedef struct {
    Py_ssize_t size;      /* bytes per record */
    int nfields;
    Py_ssize_t *load;     /* where each field's 8-byte load starts, from the record's start */
    Py_ssize_t *store;    /* each field's offset */
    Py_ssize_t *bools;    /* offsets of the boolean fields */
    int nbools;
    Py_ssize_t per_block; /* records per block (see swap_records) */
    Py_ssize_t base;      /* blocks start at records base + k * per_block */
    int stream;           /* whether full blocks go out with non-temporal stores */
} Layout;

/* Java reads any non-zero byte as true; numpy's bool must be 0 or 1. */
static void
fix_bools(const Layout *L, unsigned char *records, Py_ssize_t n)
{
    for (int j = 0; j < L->nbools; j++) {
        unsigned char *b = records + L->bools[j];
        for (Py_ssize_t r = 0; r < n; r++, b += L->size) {
            *b = *b != 0;
        }
    }
}

/* The n records just converted into the stage, to their place in the output. */
static void
flush_block(const Layout *L, unsigned char *to, unsigned char *stage, Py_ssize_t n)
{
    fix_bools(L, stage, n);
    Py_ssize_t bytes = n * L->size;
#ifdef HAVE_STREAM
    if (L->stream && n == L->per_block) {
        for (Py_ssize_t i = 0; i < bytes; i += 16) {
            _mm_stream_si128((__m128i *)(to + i), _mm_load_si128((const __m128i *)(stage + i)));
        }
        return;
    }
#endif
    memcpy(to, stage, (size_t)bytes);
}

/* Records [first, count) of src into dst, a block at a time through the stage (which has 8
 * spare bytes for the last store's spill). The loop over a block's records is written out
 * for each field count up to 8, the fields' offsets held in locals. */
#define BLOCKS(BODY) \
    for (Py_ssize_t at = first; at < count;) { \
        Py_ssize_t k_ = (at - L->base) % L->per_block; \
        Py_ssize_t n = L->per_block - (k_ < 0 ? k_ + L->per_block : k_); \
        if (n > count - at) { \
            n = count - at; \
        } \
        const unsigned char *s = src + at * size; \
        unsigned char *q = stage; \
        for (Py_ssize_t r = 0; r < n; r++, s += size, q += size) { \
            BODY; \
        } \
        flush_block(L, dst + at * size, stage, n); \
        at += n; \
    } \
    break

static void
convert_records(const Layout *L, const unsigned char *src, unsigned char *dst,
                Py_ssize_t first, Py_ssize_t count, unsigned char *stage)
{
    Py_ssize_t size = L->size;
    const Py_ssize_t *lo = L->load, *so = L->store;
    int nf = L->nfields;
    Py_ssize_t lo0 = lo[0], so0 = so[0];
    Py_ssize_t lo1 = nf > 1 ? lo[1] : 0, so1 = nf > 1 ? so[1] : 0;
    Py_ssize_t lo2 = nf > 2 ? lo[2] : 0, so2 = nf > 2 ? so[2] : 0;
    Py_ssize_t lo3 = nf > 3 ? lo[3] : 0, so3 = nf > 3 ? so[3] : 0;
    Py_ssize_t lo4 = nf > 4 ? lo[4] : 0, so4 = nf > 4 ? so[4] : 0;
    Py_ssize_t lo5 = nf > 5 ? lo[5] : 0, so5 = nf > 5 ? so[5] : 0;
    Py_ssize_t lo6 = nf > 6 ? lo[6] : 0, so6 = nf > 6 ? so[6] : 0;
    Py_ssize_t lo7 = nf > 7 ? lo[7] : 0, so7 = nf > 7 ? so[7] : 0;
    switch (nf) {
    case 1: BLOCKS(FIELD(0));
    case 2: BLOCKS(FIELD(0); FIELD(1));
    case 3: BLOCKS(FIELD(0); FIELD(1); FIELD(2));
    case 4: BLOCKS(FIELD(0); FIELD(1); FIELD(2); FIELD(3));
    case 5: BLOCKS(FIELD(0); FIELD(1); FIELD(2); FIELD(3); FIELD(4));
    case 6: BLOCKS(FIELD(0); FIELD(1); FIELD(2); FIELD(3); FIELD(4); FIELD(5));
    case 7: BLOCKS(FIELD(0); FIELD(1); FIELD(2); FIELD(3); FIELD(4); FIELD(5); FIELD(6));
    case 8: BLOCKS(FIELD(0); FIELD(1); FIELD(2); FIELD(3); FIELD(4); FIELD(5); FIELD(6);
                   FIELD(7));
    default:
        BLOCKS(
            for (int j = 0; j < nf; j++) {
                uint64_t v;
                memcpy(&v, s + lo[j], 8);
                v = BSWAP64(v);
                memcpy(q + so[j], &v, 8);
            });
    }
}

/* Records are converted a block at a time into a staging buffer that stays in cache, then
 * copied out; on x86-64 with stores that bypass the cache. A block is a multiple of 64 bytes
 * (so every block starts a cache line of the output) of whole records. */
#define BLOCK_BYTES_MAX (64 * 1024)

#ifdef HAVE_SHUFFLE
/* The shuffle paths: a line (lcm(size, 64) bytes, whole records filling whole cache lines)
 * is converted a chunk at a time, each output byte picked from the input within 8 bytes of
 * its own position (a field is at most 8 bytes wide), and goes straight to the output with
 * a non-temporal store: no stage, no copy. The masks are made once per call; lines longer
 * than this keep the stage path, their masks no longer fitting in the L1 cache beside the
 * data. */
#define SHUFFLE_BYTES_MAX 2048
/* How far ahead of the loads the input is prefetched, into the L2 cache, one cache line per
 * 64 bytes, never past the input's last byte (an address beyond an object is undefined
 * behaviour in C, even for a prefetch, which cannot fault): the input is usually out of the
 * core's caches when a read starts. 1M 20-byte records, cold, on a Xeon (Sapphire Rapids):
 * SSSE3 2.4-2.7 ms with no prefetch or 1 KiB ahead into L1, 2.2 ms 4-8 KiB ahead into L2;
 * AVX-512 1.8 ms 4-8 KiB ahead into L2, 1.9 ms 2 KiB ahead. */
#define PREFETCH_AHEAD 4096
#define PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)

enum { SHUFFLE_NONE, SHUFFLE_SSSE3, SHUFFLE_VBMI };

/* The best shuffle path this CPU runs. GCC's and Clang's checks of AVX-512 also ask the OS
 * (XGETBV) whether it saves the registers. */
static int
shuffle_supported(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vbmi")) {
        return SHUFFLE_VBMI;
    }
    return __builtin_cpu_supports("ssse3") ? SHUFFLE_SSSE3 : SHUFFLE_NONE;
}

/* Where each byte of a line comes from, relative to the start of its chunk of `chunk`
 * bytes minus 8 (so 1 to chunk + 14), in masks[p]; and keep[p]: 1 for a boolean's byte
 * (min(byte, 1) is Java's non-zero test), 0xFF for any other. */
static void
line_sources(const Layout *L, Py_ssize_t line, Py_ssize_t chunk, unsigned char *masks,
             unsigned char *keep, Py_ssize_t *from, unsigned char *keep_field)
{
    Py_ssize_t size = L->size;
    for (int j = 0; j < L->nfields; j++) {
        Py_ssize_t at = L->store[j], width = L->load[j] - at + 8;
        for (Py_ssize_t b = 0; b < width; b++) {
            from[at + b] = at + width - 1 - b;  /* native (little-endian) byte b */
            keep_field[at + b] = 0xFF;
        }
    }
    for (int j = 0; j < L->nbools; j++) {
        keep_field[L->bools[j]] = 1;
    }
    for (Py_ssize_t p = 0; p < line; p++) {
        Py_ssize_t r = p / size, off = p % size;
        masks[p] = (unsigned char)(r * size + from[off] - (p / chunk * chunk - 8));
        keep[p] = keep_field[off];
    }
}

/* SSSE3's pshufb picks from one 16-byte register: each 16-byte chunk ORs two of them, the
 * load 8 bytes before its position (lo) and 8 bytes after (hi). Per chunk, 48 bytes of
 * masks: lo's, hi's (0x80 where the byte comes from the other load), keep. */
static void
ssse3_masks(Py_ssize_t line, const unsigned char *sources, const unsigned char *keep,
            unsigned char *masks)
{
    for (Py_ssize_t p = 0; p < line; p++) {
        unsigned char d = sources[p], *m = masks + p / 16 * 48;
        Py_ssize_t lane = p % 16;
        m[lane] = d < 16 ? d : 0x80;
        m[16 + lane] = d < 16 ? 0x80 : (unsigned char)(d - 16);
        m[32 + lane] = keep[p];
    }
}

#define SSSE3_LOOP(KEEP) \
    for (Py_ssize_t k = 0; k < lines; k++, src += line, dst += line, ahead -= line) { \
        for (Py_ssize_t c = 0; c < chunks; c++) { \
            if (c % 4 == 0 && 16 * c + PREFETCH_AHEAD < ahead) { \
                PREFETCH(src + 16 * c + PREFETCH_AHEAD); \
            } \
            __m128i a = _mm_loadu_si128((const __m128i *)(src + 16 * c - 8)); \
            __m128i b = _mm_loadu_si128((const __m128i *)(src + 16 * c + 8)); \
            __m128i v = _mm_or_si128(_mm_shuffle_epi8(a, m[3 * c]), \
                                     _mm_shuffle_epi8(b, m[3 * c + 1])); \
            _mm_stream_si128((__m128i *)(dst + 16 * c), KEEP); \
        } \
    }

/* `lines` lines from src to dst (64-aligned); src has 8 readable bytes before and after,
 * and `ahead` readable bytes from src on (what the prefetches may reach). */
__attribute__((target("ssse3")))
static void
ssse3_lines(const unsigned char *src, unsigned char *dst, Py_ssize_t lines, Py_ssize_t line,
            const unsigned char *masks, int bools, Py_ssize_t ahead)
{
    const __m128i *m = (const __m128i *)masks;
    Py_ssize_t chunks = line / 16;
    if (bools) {
        SSSE3_LOOP(_mm_min_epu8(v, m[3 * c + 2]))
    }
    else {
        SSSE3_LOOP(v)
    }
}

/* AVX-512 VBMI's vpermt2b picks each of 64 bytes from two 64-byte registers: a 64-byte
 * chunk's bytes come from the load 8 bytes before its position and the one 56 bytes after,
 * which is the next chunk's first load: one load, one permute and one store per 64 bytes.
 * Per chunk, 128 bytes of masks: the sources (sources[p], 0 to 127), then keep. */
#define VBMI_LOOP(KEEP) \
    for (Py_ssize_t k = 0; k < lines; k++, src += line, dst += line, ahead -= line) { \
        for (Py_ssize_t c = 0; c < chunks; c++) { \
            if (64 * c + PREFETCH_AHEAD < ahead) { \
                PREFETCH(src + 64 * c + PREFETCH_AHEAD); \
            } \
            __m512i b = _mm512_loadu_si512((const void *)(src + 64 * c + 56)); \
            __m512i v = _mm512_permutex2var_epi8(a, m[2 * c], b); \
            _mm512_stream_si512((__m512i *)(dst + 64 * c), KEEP); \
            a = b; \
        } \
    }

/* `lines` lines from src to dst (64-aligned); src has 8 readable bytes before and 56 after,
 * and `ahead` readable bytes from src on. */
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static void
vbmi_lines(const unsigned char *src, unsigned char *dst, Py_ssize_t lines, Py_ssize_t line,
           const unsigned char *masks, int bools, Py_ssize_t ahead)
{
    const __m512i *m = (const __m512i *)masks;
    Py_ssize_t chunks = line / 64;
    __m512i a = _mm512_loadu_si512((const void *)(src - 8));
    if (bools) {
        VBMI_LOOP(_mm512_min_epu8(v, m[2 * c + 1]))
    }
    else {
        VBMI_LOOP(v)
    }
}

/* The shuffle path's masks, 64-aligned: room for them, and where they start. */
static unsigned char *
shuffle_masks(const Layout *L, Py_ssize_t line, int path, unsigned char **masks)
{
    Py_ssize_t size = L->size;
    size_t mask_bytes = (size_t)(path == SHUFFLE_VBMI ? 2 * line : 3 * line);
    unsigned char *room = PyMem_Malloc(mask_bytes + 64 + 2 * (size_t)line
                                       + (size_t)size * (sizeof(Py_ssize_t) + 1));
    if (room == NULL) {
        return NULL;
    }
    *masks = (unsigned char *)(((uintptr_t)room + 63) & ~(uintptr_t)63);
    unsigned char *sources = *masks + mask_bytes, *keep = sources + line;
    Py_ssize_t *from = (Py_ssize_t *)(keep + line);
    if (path == SHUFFLE_VBMI) {
        line_sources(L, line, 64, sources, keep, from, (unsigned char *)(from + size));
        for (Py_ssize_t c = 0; c < line / 64; c++) {
            memcpy(*masks + 128 * c, sources + 64 * c, 64);
            memcpy(*masks + 128 * c + 64, keep + 64 * c, 64);
        }
    }
    else {
        line_sources(L, line, 16, sources, keep, from, (unsigned char *)(from + size));
        ssse3_masks(line, sources, keep, *masks);
    }
    return room;
}
#endif

PyDoc_STRVAR(swap_records_doc,
"swap_records(buf, out, fields, path=2)\n--\n\n"
"Fill out (a writable buffer of len(buf) bytes) with the records in buf, big-endian, each\n"
"field in native byte order: what numpy's astype from the wire dtype to the native one\n"
"gives. fields: one byte per field, its width (1, 2, 4 or 8), plus 0x80 for a boolean.\n"
"path (for tests) caps the shuffle path taken: 0 generic, 1 SSSE3, 2 AVX-512 VBMI.");

static PyObject *
swap_records(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 && nargs != 4) {
        PyErr_Format(PyExc_TypeError, "swap_records takes 3 or 4 arguments (%zd given)", nargs);
        return NULL;
    }
    long allow_path = 2;
    if (nargs == 4 && (allow_path = PyLong_AsLong(args[3])) == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *spec = args[2];
    if (!PyBytes_CheckExact(spec) || PyBytes_GET_SIZE(spec) < 1
            || PyBytes_GET_SIZE(spec) > 0xFFFF) {
        PyErr_SetString(PyExc_TypeError, "swap_records: fields must be 1 to 65535 bytes");
        return NULL;
    }
    int nfields = (int)PyBytes_GET_SIZE(spec);
    const unsigned char *widths = (const unsigned char *)PyBytes_AS_STRING(spec);
    Py_ssize_t *offsets = PyMem_New(Py_ssize_t, 3 * (size_t)nfields);
    if (offsets == NULL) {
        return PyErr_NoMemory();
    }
    Layout L = {0, nfields, offsets, offsets + nfields, offsets + 2 * nfields, 0, 0, 0, 0};
    for (int j = 0; j < nfields; j++) {
        int width = widths[j] & 0x7F;
        if (width != 1 && width != 2 && width != 4 && width != 8) {
            PyMem_Free(offsets);
            PyErr_SetString(PyExc_ValueError, "swap_records: a field width must be 1, 2, 4 or 8");
            return NULL;
        }
        L.store[j] = L.size;
        L.load[j] = L.size + width - 8;
        if (widths[j] & 0x80) {
            L.bools[L.nbools++] = L.size;
        }
        L.size += width;
    }
    Py_ssize_t size = L.size;
    Bytes in;
    Py_buffer out;
    if (bytes_open(args[0], &in) < 0) {
        PyMem_Free(offsets);
        return NULL;
    }
    if (PyObject_GetBuffer(args[1], &out, PyBUF_WRITABLE) < 0) {
        bytes_close(&in);
        PyMem_Free(offsets);
        return NULL;
    }
    PyObject *result = NULL;
    unsigned char *staging = NULL;
    unsigned char *shuffling = NULL;
    if (in.size % size != 0 || out.len != in.size) {
        PyErr_Format(PyExc_ValueError,
                     "swap_records: %zd bytes in, %zd out, for records of %zd bytes",
                     in.size, out.len, size);
        goto done;
    }
    Py_ssize_t count = in.size / size;
    /* A block: the fewest whole records that fill whole cache lines (lcm(size, 64) bytes),
     * at least 256 bytes; it stays in the L1 cache. */
    Py_ssize_t block = size;
    while (block % 64 != 0 && block <= BLOCK_BYTES_MAX) {
        block += size;
    }
    if (block > BLOCK_BYTES_MAX) {
        block = size;  /* records too long to line up with cache lines: plain copies */
    }
    Py_ssize_t line = block;
    while (block < 256) {
        block += line;
    }
    Py_ssize_t per_block = block / size;
    /* The stage, aligned on a cache line: a block and the 8 bytes the last field's store
     * spills, or the first records' padded copy, then their conversion at `head_out`. */
    Py_ssize_t head = count < 8 ? count : 8;
    Py_ssize_t head_out = (8 + head * size + 63) / 64 * 64;
    Py_ssize_t stage_bytes = block > head_out + head * size ? block : head_out + head * size;
    staging = PyMem_Malloc((size_t)stage_bytes + 8 + 64);
    if (staging == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    unsigned char *stage = (unsigned char *)(((uintptr_t)staging + 63) & ~(uintptr_t)63);
    const unsigned char *src = in.data;
    unsigned char *dst = (unsigned char *)out.buf;
    L.per_block = per_block;
    /* Blocks line up on the output's own cache lines: after the first records (`head`), the
     * first record that starts one. numpy aligns an array on 16 bytes only, so the first
     * block is usually a short one. Where no record starts a cache line (the output not
     * even aligned on its records' common factor with 64), they line up on record 0. */
    int aligned = 0;
    if (block % 64 == 0) {
        for (Py_ssize_t at = head; at < head + 64; at++) {
            if ((uintptr_t)(dst + at * size) % 64 == 0) {
                L.base = at;
                aligned = 1;
                break;
            }
        }
    }
#ifdef HAVE_STREAM
    L.stream = block % 64 == 0 && (aligned || ((uintptr_t)dst % 16) == 0);
#endif
    /* A shuffle path takes whole lines from `base`, each with the input its loads reach after
     * it (8 bytes for SSSE3, 56 for VBMI); the records before and after go the stage's way. */
    Py_ssize_t lines = 0;
#ifdef HAVE_SHUFFLE
    static int cpu_path = -1;
    if (cpu_path < 0) {
        cpu_path = shuffle_supported();
    }
    int path = cpu_path < allow_path ? cpu_path : (int)allow_path;
    if (!aligned || line > SHUFFLE_BYTES_MAX || L.base >= count) {
        path = SHUFFLE_NONE;
    }
    if (path == SHUFFLE_VBMI && ((count - L.base) * size - 56) / line < 1) {
        path = SHUFFLE_SSSE3;  /* too few records for a line and its reach */
    }
    if (path != SHUFFLE_NONE) {
        lines = ((count - L.base) * size - (path == SHUFFLE_VBMI ? 56 : 8)) / line;
    }
    unsigned char *masks = NULL;
    if (lines > 0) {
        shuffling = shuffle_masks(&L, line, path, &masks);
        if (shuffling == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
#endif
    (void)aligned;  /* neither is read where there are no streaming stores */
    (void)lines;
    (void)allow_path;
    Py_BEGIN_ALLOW_THREADS
#if PY_BIG_ENDIAN
    memcpy(dst, src, (size_t)in.size);  /* the wire order is the native one */
    fix_bools(&L, dst, count);
#else
    if (count > 0) {
        memset(stage, 0, 8);
        memcpy(stage + 8, src, (size_t)(head * size));
        convert_records(&L, stage + 8, dst, 0, head, stage + head_out);
        /* The rest in blocks, the first one short if need be, so that the others line up
         * on cache lines of the output. */
#ifdef HAVE_SHUFFLE
        if (lines > 0) {
            Py_ssize_t end = L.base + lines * (line / size);
            convert_records(&L, src, dst, head, L.base, stage);
            (path == SHUFFLE_VBMI ? vbmi_lines : ssse3_lines)(
                src + L.base * size, dst + L.base * size, lines, line, masks, L.nbools > 0,
                (count - L.base) * size);
            convert_records(&L, src, dst, end, count, stage);
        }
        else
#endif
        convert_records(&L, src, dst, head, count, stage);
    }
#endif
#ifdef HAVE_STREAM
    /* Non-temporal stores are weakly ordered: make them visible before another thread
     * can read the array this call hands back. */
    if (L.stream || lines > 0) {
        _mm_sfence();
    }
#endif
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(shuffling);
    PyMem_Free(staging);
    PyBuffer_Release(&out);
    bytes_close(&in);
    PyMem_Free(offsets);
    return result;
}

static PyMethodDef methods[] = {
    {"swap_records", (PyCFunction)(void (*)(void))swap_records, METH_FASTCALL,
     swap_records_doc},
    {"decode", (PyCFunction)(void (*)(void))decode, METH_FASTCALL, decode_doc},
    {"read_utf", (PyCFunction)(void (*)(void))read_utf, METH_FASTCALL, read_utf_doc},
    {"encode", encode, METH_O, encode_doc},
    {"parse_segment", (PyCFunction)(void (*)(void))parse_segment, METH_FASTCALL,
     parse_segment_doc},
    {NULL, NULL, 0, NULL},
};

/* shuffle_records: the best shuffle path swap_records takes on this CPU, 0 (none), 1 (SSSE3)
 * or 2 (AVX-512 VBMI); tests read it, so that a machine that has a path is known to test it. */
static int
exec_module(PyObject *m)
{
#ifdef HAVE_SHUFFLE
    int shuffle = shuffle_supported();
#else
    int shuffle = 0;
#endif
    return PyModule_AddIntConstant(m, "shuffle_records", shuffle);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "java_datastream._speedups",
    "The compiled build's C loops; the Python code is the fallback for each.",
    0,
    methods,
    slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&module);
}
