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
#include <string.h>

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

static PyMethodDef methods[] = {
    {"decode", (PyCFunction)(void (*)(void))decode, METH_FASTCALL, decode_doc},
    {"read_utf", (PyCFunction)(void (*)(void))read_utf, METH_FASTCALL, read_utf_doc},
    {"encode", encode, METH_O, encode_doc},
    {"parse_segment", (PyCFunction)(void (*)(void))parse_segment, METH_FASTCALL,
     parse_segment_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "java_datastream._speedups",
    "The compiled build's C loops; the Python code is the fallback for each.",
    0,
    methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&module);
}
