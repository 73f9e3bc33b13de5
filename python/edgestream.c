/* edgestream.c — the Python module `edgestream`, a CPython extension over
 * the public C API (include/edgestream.h) alone.
 *
 *   import edgestream, numpy as np
 *   s = edgestream.Stream("cc,degree,tri")
 *   s.feed(np.array([[1, 2], [2, 3], [3, 1]]))     # or s.feed_file("g.txt"), s.feed_lines("1 2\n")
 *   s.report()["tri"]["triangles"]                 # 3 ... numbers as numbers
 *   s.degrees(), s.component_labels()              # numpy arrays, one entry per vertex_ids()
 *   edgestream.read_snapshot("snaps/snap-000003.h5")["components"]
 *
 * Reports are dicts of dicts ({"cc": {"components": 1, ...}}): integers as
 * int, doubles as float, booleans as bool, histograms as lists of
 * (value, count) tuples, top-k lists as lists of tuples of numbers.  Errors raise edgestream.Error, whose `status` is
 * the C status (the command's exit status); a vertex not seen raises
 * KeyError.  Feeding releases the GIL; one stream is used by one thread at
 * a time (a second one gets RuntimeError), snapshots hold the GIL (HDF5
 * is not thread-safe).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <string.h>

#include <edgestream.h>

static PyObject *Error;

typedef struct {
    PyObject_HEAD
    edgestream *s;
    int busy;       /* a call that released the GIL is running on it */
} Stream;

static PyTypeObject StreamType;

static PyObject *fail(const edgestream_error *err)
{
    if (err->code == EDGESTREAM_ENOVERTEX) {
        PyErr_SetString(PyExc_KeyError, err->message);
        return NULL;
    }
    PyObject *e = PyObject_CallFunction(Error, "s", err->message);
    if (e) {
        PyObject *st = PyLong_FromLong(err->code);
        PyObject_SetAttrString(e, "status", st);
        Py_XDECREF(st);
        PyErr_SetObject(Error, e);
        Py_DECREF(e);
    }
    return NULL;
}

static int parse_options(edgestream_options *o, Py_ssize_t batch, unsigned long long skip_bad, int threads)
{
    if (batch < 0 || threads < 0) {
        PyErr_SetString(PyExc_ValueError, "batch and threads must not be negative");
        return -1;
    }
    *o = (edgestream_options){ .batch = (size_t)batch, .skip_bad = skip_bad, .threads = threads };
    return 0;
}

static int Stream_init(Stream *self, PyObject *args, PyObject *kw)
{
    static char *names[] = { "ops", "batch", "skip_bad", "threads", "deletions", NULL };
    const char *ops = "cc,degree";
    Py_ssize_t batch = 0;
    unsigned long long skip_bad = 0;
    int threads = 0, deletions = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|snKip", names, &ops, &batch, &skip_bad, &threads, &deletions))
        return -1;
    edgestream_options o;
    if (parse_options(&o, batch, skip_bad, threads) < 0)
        return -1;
    o.deletions = deletions;
    edgestream_error err;
    edgestream_free(self->s);
    self->s = NULL;
    if (edgestream_open(&self->s, ops, &o, &err) != EDGESTREAM_OK) {
        fail(&err);
        return -1;
    }
    return 0;
}

static void Stream_dealloc(Stream *self)
{
    edgestream_free(self->s);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The stream, or NULL with an exception: closed, or in use by a thread. */
static edgestream *stream_of(Stream *self)
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_ValueError, "the stream is not open");
        return NULL;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the stream is in use by another thread");
        return NULL;
    }
    return self->s;
}

/* An (m, 2) array of non-negative integer ids as a C-contiguous uint64
 * array (a new reference), or NULL with ValueError. */
static PyArrayObject *edge_array(PyObject *obj)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROM_O(obj);
    if (a == NULL)
        return NULL;
    PyArrayObject *out = NULL;
    if (PyArray_SIZE(a) == 0 && PyArray_NDIM(a) <= 2) {
        npy_intp dims[2] = { 0, 2 };
        out = (PyArrayObject *)PyArray_ZEROS(2, dims, NPY_UINT64, 0);
        goto out;
    }
    if (PyArray_NDIM(a) != 2 || PyArray_DIM(a, 1) != 2) {
        PyErr_SetString(PyExc_ValueError, "edges must be an array of shape (m, 2): one row (u, v) per edge");
        goto out;
    }
    if (!PyArray_ISINTEGER(a)) {
        PyErr_Format(PyExc_ValueError, "vertex ids must be integers, got an array of %s",
                     PyArray_DESCR(a)->typeobj->tp_name);
        goto out;
    }
    if (PyArray_ISUNSIGNED(a)) {
        out = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)a, NPY_UINT64, NPY_ARRAY_IN_ARRAY);
        goto out;
    }
    PyArrayObject *s = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)a, NPY_INT64, NPY_ARRAY_IN_ARRAY);
    if (s == NULL)
        goto out;
    const int64_t *p = PyArray_DATA(s);
    npy_intp n = PyArray_SIZE(s);
    for (npy_intp i = 0; i < n; i++)
        if (p[i] < 0) {
            PyErr_Format(PyExc_ValueError, "vertex ids must not be negative, got %lld in row %zd",
                         (long long)p[i], (Py_ssize_t)(i / 2));
            Py_DECREF(s);
            goto out;
        }
    /* Non-negative int64 has the bits of the same uint64. */
    out = (PyArrayObject *)PyArray_View(s, PyArray_DescrFromType(NPY_UINT64), NULL);
    Py_DECREF(s);
out:
    Py_DECREF(a);
    return out;
}

static PyObject *Stream_feed(Stream *self, PyObject *obj)
{
    edgestream *s = stream_of(self);
    if (s == NULL)
        return NULL;
    PyArrayObject *a = edge_array(obj);
    if (a == NULL)
        return NULL;
    edgestream_error err;
    int st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = edgestream_feed(s, PyArray_DATA(a), (size_t)PyArray_DIM(a, 0), &err);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    Py_DECREF(a);
    if (st != EDGESTREAM_OK)
        return fail(&err);
    Py_RETURN_NONE;
}

static PyObject *Stream_feed_lines(Stream *self, PyObject *obj)
{
    edgestream *s = stream_of(self);
    if (s == NULL)
        return NULL;
    Py_buffer view;
    const char *text;
    Py_ssize_t len;
    PyObject *keep = NULL;
    if (PyUnicode_Check(obj)) {
        if ((text = PyUnicode_AsUTF8AndSize(obj, &len)) == NULL)
            return NULL;
        keep = obj;
        Py_INCREF(keep);
        view.obj = NULL;
    } else {
        if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
            return NULL;
        text = view.buf;
        len = view.len;
    }
    edgestream_error err;
    int st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = edgestream_feed_lines(s, text, (size_t)len, &err);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    if (keep)
        Py_DECREF(keep);
    else
        PyBuffer_Release(&view);
    if (st != EDGESTREAM_OK)
        return fail(&err);
    Py_RETURN_NONE;
}

static PyObject *Stream_feed_file(Stream *self, PyObject *arg)
{
    edgestream *s = stream_of(self);
    PyObject *bytes = NULL;
    if (s == NULL || !PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    edgestream_error err;
    int st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = edgestream_feed_file(s, PyBytes_AS_STRING(bytes), &err);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    Py_DECREF(bytes);
    if (st != EDGESTREAM_OK)
        return fail(&err);
    Py_RETURN_NONE;
}

/* A number as written in a list: an int when it reads as one, else a
 * float. */
static PyObject *number_of(const char *p, size_t len)
{
    PyObject *text = PyUnicode_FromStringAndSize(p, (Py_ssize_t)len);
    if (text == NULL)
        return NULL;
    PyObject *x = PyLong_FromUnicodeObject(text, 10);
    if (x == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();
        x = PyFloat_FromString(text);
    }
    Py_DECREF(text);
    return x;
}

/* "a:b,c:d" as [(a, b), (c, d)]. */
static PyObject *tuples_of(const char *s)
{
    PyObject *list = PyList_New(0);
    for (const char *p = s; list && *p;) {
        const char *end = strchr(p, ',');
        end = end ? end : p + strlen(p);
        PyObject *tuple = PyTuple_New(0);
        for (const char *q = p; tuple && q <= end;) {
            const char *colon = memchr(q, ':', (size_t)(end - q));
            const char *stop = colon ? colon : end;
            PyObject *x = number_of(q, (size_t)(stop - q));
            Py_ssize_t k = PyTuple_GET_SIZE(tuple);
            if (x == NULL || _PyTuple_Resize(&tuple, k + 1) < 0) {
                Py_XDECREF(x);
                Py_CLEAR(tuple);
                break;
            }
            PyTuple_SET_ITEM(tuple, k, x);
            q = stop + 1;
        }
        if (tuple == NULL || PyList_Append(list, tuple) < 0)
            Py_CLEAR(list);
        Py_XDECREF(tuple);
        p = *end ? end + 1 : end;
    }
    return list;
}

static PyObject *value_of(const edgestream_value *v)
{
    switch (v->kind) {
    case EDGESTREAM_UINT:   return PyLong_FromUnsignedLongLong(v->u);
    case EDGESTREAM_INT:    return PyLong_FromLongLong(v->i);
    case EDGESTREAM_DOUBLE: return PyFloat_FromDouble(v->d);
    case EDGESTREAM_BOOL:   return PyBool_FromLong(v->b);
    case EDGESTREAM_STRING: return PyUnicode_FromString(v->str);
    case EDGESTREAM_LIST:
        return tuples_of(v->str);
    case EDGESTREAM_HISTOGRAM: {
        PyObject *list = PyList_New((Py_ssize_t)v->nbins);
        for (size_t k = 0; list && k < v->nbins; k++) {
            PyObject *t = Py_BuildValue("(KK)", (unsigned long long)v->bins[k].value,
                                        (unsigned long long)v->bins[k].count);
            if (t == NULL) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, (Py_ssize_t)k, t);
        }
        return list;
    }
    }
    PyErr_SetString(PyExc_SystemError, "unknown value kind");
    return NULL;
}

static PyObject *Stream_report(Stream *self, PyObject *unused)
{
    (void)unused;
    edgestream *s = stream_of(self);
    if (s == NULL)
        return NULL;
    edgestream_report *r = edgestream_report_take(s);
    PyObject *out = PyDict_New();
    for (size_t i = 0; out && i < edgestream_report_size(r); i++) {
        const edgestream_value *v = edgestream_report_get(r, i);
        PyObject *group = PyDict_GetItemString(out, v->op);   /* borrowed */
        if (group == NULL) {
            group = PyDict_New();
            if (group == NULL || PyDict_SetItemString(out, v->op, group) < 0) {
                Py_XDECREF(group);
                Py_CLEAR(out);
                break;
            }
            Py_DECREF(group);
        }
        PyObject *x = value_of(v);
        if (x == NULL || PyDict_SetItemString(group, v->metric, x) < 0)
            Py_CLEAR(out);
        Py_XDECREF(x);
    }
    edgestream_report_free(r);
    return out;
}

typedef int (*one_fn)(edgestream *, uint64_t, uint64_t *, edgestream_error *);

static PyObject *query_one(Stream *self, PyObject *arg, one_fn fn)
{
    edgestream *s = stream_of(self);
    if (s == NULL)
        return NULL;
    unsigned long long v = PyLong_AsUnsignedLongLong(arg);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    uint64_t out;
    edgestream_error err;
    if (fn(s, v, &out, &err) != EDGESTREAM_OK)
        return fail(&err);
    return PyLong_FromUnsignedLongLong(out);
}

static PyObject *Stream_component(Stream *self, PyObject *v) { return query_one(self, v, edgestream_component); }
static PyObject *Stream_degree(Stream *self, PyObject *v) { return query_one(self, v, edgestream_degree); }
static PyObject *Stream_local_triangles(Stream *self, PyObject *v)
{
    return query_one(self, v, edgestream_local_triangles);
}

typedef int (*all_fn)(edgestream *, uint64_t *, edgestream_error *);

/* One uint64 per vertex; fn NULL: the vertex ids. */
static PyObject *query_all(Stream *self, all_fn fn)
{
    edgestream *s = stream_of(self);
    if (s == NULL)
        return NULL;
    npy_intp n = (npy_intp)edgestream_vertices(s);
    PyArrayObject *a = (PyArrayObject *)PyArray_EMPTY(1, &n, NPY_UINT64, 0);
    if (a == NULL)
        return NULL;
    edgestream_error err;
    if (fn == NULL)
        edgestream_vertex_ids(s, PyArray_DATA(a));
    else if (fn(s, PyArray_DATA(a), &err) != EDGESTREAM_OK) {
        Py_DECREF(a);
        return fail(&err);
    }
    return (PyObject *)a;
}

static PyObject *Stream_vertex_ids(Stream *self, PyObject *u) { (void)u; return query_all(self, NULL); }
static PyObject *Stream_component_labels(Stream *self, PyObject *u)
{
    (void)u;
    return query_all(self, edgestream_component_labels);
}
static PyObject *Stream_degrees(Stream *self, PyObject *u) { (void)u; return query_all(self, edgestream_degrees); }
static PyObject *Stream_triangle_counts(Stream *self, PyObject *u)
{
    (void)u;
    return query_all(self, edgestream_triangle_counts);
}

static PyObject *Stream_snapshot(Stream *self, PyObject *arg)
{
    edgestream *s = stream_of(self);
    PyObject *bytes = NULL;
    if (s == NULL || !PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    edgestream_error err;
    int st = edgestream_snapshot(s, PyBytes_AS_STRING(bytes), &err);
    Py_DECREF(bytes);
    if (st != EDGESTREAM_OK)
        return fail(&err);
    Py_RETURN_NONE;
}

static PyObject *Stream_get_edges(Stream *self, void *c)
{
    (void)c;
    edgestream *s = stream_of(self);
    return s ? PyLong_FromUnsignedLongLong(edgestream_edges(s)) : NULL;
}

static PyObject *Stream_get_vertices(Stream *self, void *c)
{
    (void)c;
    edgestream *s = stream_of(self);
    return s ? PyLong_FromUnsignedLongLong(edgestream_vertices(s)) : NULL;
}

static PyMethodDef Stream_methods[] = {
    { "feed", (PyCFunction)Stream_feed, METH_O, "feed(edges): an (m, 2) array of non-negative integer ids, in order" },
    { "feed_lines", (PyCFunction)Stream_feed_lines, METH_O, "feed_lines(text): whole lines 'u v [t]' (str or bytes)" },
    { "feed_file", (PyCFunction)Stream_feed_file, METH_O, "feed_file(path): an edge-list file, plain or gzip" },
    { "report", (PyCFunction)Stream_report, METH_NOARGS, "report() -> {operator: {metric: value}}, every answer now" },
    { "component", (PyCFunction)Stream_component, METH_O, "component(v) -> the id of v's component's representative (cc)" },
    { "degree", (PyCFunction)Stream_degree, METH_O, "degree(v) -> distinct neighbours of v (degree)" },
    { "local_triangles", (PyCFunction)Stream_local_triangles, METH_O, "local_triangles(v) -> triangles through v (tri)" },
    { "vertex_ids", (PyCFunction)Stream_vertex_ids, METH_NOARGS, "vertex_ids() -> uint64 array, in order of first appearance" },
    { "component_labels", (PyCFunction)Stream_component_labels, METH_NOARGS, "component_labels() -> uint64 array (cc)" },
    { "degrees", (PyCFunction)Stream_degrees, METH_NOARGS, "degrees() -> uint64 array (degree)" },
    { "triangle_counts", (PyCFunction)Stream_triangle_counts, METH_NOARGS, "triangle_counts() -> uint64 array (tri)" },
    { "snapshot", (PyCFunction)Stream_snapshot, METH_O, "snapshot(path): the whole state in one HDF5 file" },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef Stream_getset[] = {
    { "edges", (getter)Stream_get_edges, NULL, "edges fed so far", NULL },
    { "vertices", (getter)Stream_get_vertices, NULL, "distinct vertex ids seen", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject StreamType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "edgestream.Stream",
    .tp_doc = "Stream(ops='cc,degree', batch=0, skip_bad=0, threads=0, deletions=False): a stream with operators, fed"
              " in order (deletions: lines `u v -` delete edges)",
    .tp_basicsize = sizeof(Stream),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Stream_init,
    .tp_dealloc = (destructor)Stream_dealloc,
    .tp_methods = Stream_methods,
    .tp_getset = Stream_getset,
};

static PyObject *mod_restore(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = { "path", "batch", "skip_bad", "threads", NULL };
    PyObject *bytes = NULL;
    Py_ssize_t batch = 0;
    unsigned long long skip_bad = 0;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|nKi", names, PyUnicode_FSConverter, &bytes, &batch, &skip_bad,
                                     &threads))
        return NULL;
    edgestream_options o;
    if (parse_options(&o, batch, skip_bad, threads) < 0) {
        Py_DECREF(bytes);
        return NULL;
    }
    edgestream *s;
    edgestream_error err;
    int st = edgestream_restore(&s, PyBytes_AS_STRING(bytes), &o, &err);
    Py_DECREF(bytes);
    if (st != EDGESTREAM_OK)
        return fail(&err);
    Stream *self = PyObject_New(Stream, &StreamType);
    if (self == NULL) {
        edgestream_free(s);
        return NULL;
    }
    self->s = s;
    self->busy = 0;
    return (PyObject *)self;
}

/* A snapshot's per-vertex arrays, from whichever operators it holds. */
static PyObject *mod_read_snapshot(PyObject *mod, PyObject *arg)
{
    PyObject *args = PyTuple_Pack(1, arg);
    if (args == NULL)
        return NULL;
    Stream *s = (Stream *)mod_restore(mod, args, NULL);
    Py_DECREF(args);
    if (s == NULL)
        return NULL;
    PyObject *out = PyDict_New();
    static const struct {
        const char *key;
        all_fn fn;
    } arrays[] = {
        { "ids", NULL },
        { "components", edgestream_component_labels },
        { "degrees", edgestream_degrees },
        { "triangles", edgestream_triangle_counts },
    };
    for (size_t i = 0; out && i < sizeof arrays / sizeof arrays[0]; i++) {
        PyObject *a = query_all(s, arrays[i].fn);
        if (a == NULL && PyErr_ExceptionMatches(Error)) {
            PyErr_Clear();   /* the snapshot lacks that operator */
            continue;
        }
        if (a == NULL || PyDict_SetItemString(out, arrays[i].key, a) < 0)
            Py_CLEAR(out);
        Py_XDECREF(a);
    }
    PyObject *edges = out ? PyLong_FromUnsignedLongLong(edgestream_edges(s->s)) : NULL;
    if (out && (edges == NULL || PyDict_SetItemString(out, "edges", edges) < 0))
        Py_CLEAR(out);
    Py_XDECREF(edges);
    Py_DECREF(s);
    return out;
}

static PyMethodDef module_methods[] = {
    { "restore", (PyCFunction)(void (*)(void))mod_restore, METH_VARARGS | METH_KEYWORDS,
      "restore(path, batch=0, skip_bad=0, threads=0) -> Stream continuing from a snapshot file" },
    { "read_snapshot", (PyCFunction)mod_read_snapshot, METH_O,
      "read_snapshot(path) -> {'ids', 'components', 'degrees', 'triangles': uint64 arrays (those its "
      "operators give), 'edges': int}" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "edgestream",
    .m_doc = "Incremental analytics over graph edge streams (the edgestream C library).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit_edgestream(void)
{
    import_array();
    if (PyType_Ready(&StreamType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Error = PyErr_NewExceptionWithDoc("edgestream.Error", "An edgestream call failed; `status` is its status.",
                                      NULL, NULL);
    Py_INCREF(&StreamType);
    if (Error == NULL || PyModule_AddObject(m, "Error", Error) < 0 ||
        PyModule_AddObject(m, "Stream", (PyObject *)&StreamType) < 0 ||
        PyModule_AddStringConstant(m, "__version__", EDGESTREAM_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(Error);
    return m;
}
