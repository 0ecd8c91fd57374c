"""An exact C port of `difflib.SequenceMatcher(None, a, b, autojunk).ratio()`.

The paper's reward is difflib's ratio, and on long file edits difflib (and its Cython port
cydifflib) costs milliseconds per pair; a GRPO batch of 4096 rollouts then spends
seconds in the reward. This module compiles a ~150-line C port of CPython's
`find_longest_match`/`get_matching_blocks` (same tie-breaking, so bit-identical ratios,
checked against difflib in the tests) with the system C compiler on first use, caches
the shared library under ~/.cache/swe-srl (or $SWE_SRL_CACHE) and calls it via ctypes.
Where no compiler works, `available()` is False and the reward falls back to cydifflib.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

C_SOURCE = r"""/* difflib.SequenceMatcher(None, a, b, autojunk).ratio() in plain C.
 *
 * A line-by-line port of CPython's get_matching_blocks / find_longest_match for the
 * isjunk=None case, with the same tie-breaking, so the ratio is bit-identical (the tests
 * compare it with difflib on random and real inputs). Strings arrive as UTF-32 code
 * points. Python's per-row dict j2len becomes an array of run lengths stamped with the
 * (call, row) that wrote them, and each row walks b's positions from high to low, which
 * lets one array serve as both the previous and the current row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int32_t *ids;       /* element id of each b position, -1 when popular (excluded) */
    int32_t *start;     /* CSR: positions of element e are pos[start[e]..start[e+1]) */
    int32_t *pos;
    int32_t nelem;
} Index;

typedef struct { uint32_t key; int32_t id; } Slot;

static uint32_t hash32(uint32_t x) {
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}

/* Open-addressing map from code point to a dense id. */
typedef struct { Slot *slots; uint32_t mask; } Map;

static int map_init(Map *m, int32_t n) {
    uint32_t cap = 16;
    while (cap < (uint32_t)n * 2u + 2u) cap <<= 1;
    m->slots = (Slot *)malloc(sizeof(Slot) * cap);
    if (!m->slots) return -1;
    for (uint32_t i = 0; i < cap; i++) m->slots[i].id = -1;
    m->mask = cap - 1;
    return 0;
}

static int32_t map_get(const Map *m, uint32_t key) {
    uint32_t h = hash32(key) & m->mask;
    while (m->slots[h].id != -1) {
        if (m->slots[h].key == key) return m->slots[h].id;
        h = (h + 1) & m->mask;
    }
    return -1;
}

static int32_t map_put(Map *m, uint32_t key, int32_t next_id) {
    uint32_t h = hash32(key) & m->mask;
    while (m->slots[h].id != -1) {
        if (m->slots[h].key == key) return m->slots[h].id;
        h = (h + 1) & m->mask;
    }
    m->slots[h].key = key;
    m->slots[h].id = next_id;
    return next_id;
}

typedef struct { int32_t alo, ahi, blo, bhi; } Range;

/* stamps ((la + 2) * calls, calls <= la + 1) must fit 40 bits and run lengths 24 bits */
#define MAX_LEN (1 << 19)
/* below this many a x b pairs the DP's scan is cheaper than building an automaton */
#define SAM_MIN_AREA 4096

/* The longest match of a[alo:ahi] in b[blo:bhi] through a suffix automaton of b[blo:bhi].
 * Same answer as the DP: the longest suffix of a[alo..i] found in the b-range, first at the
 * smallest i, ending first (firstpos of its state) at the smallest j. Linear instead of
 * quadratic, which is what long near-identical file edits need. */
typedef struct {
    int32_t *len, *link, *firstpos, *next;  /* next[state * sigma + c] = target + 1, 0 = none */
    int32_t sigma, cap;
} Sam;

static int sam_longest(Sam *m, const int32_t *aid, const int32_t *bid, Range r,
                       int32_t *besti, int32_t *bestj, int32_t *bestsize) {
    int32_t sigma = m->sigma, n = 1, last = 0;
    m->len[0] = 0; m->link[0] = -1; m->firstpos[0] = -1;
    memset(m->next, 0, sizeof(int32_t) * (size_t)sigma);
    for (int32_t j = r.blo; j < r.bhi; j++) {
        int32_t c = bid[j], cur = n++;
        m->len[cur] = m->len[last] + 1; m->firstpos[cur] = j;
        memset(m->next + (size_t)cur * sigma, 0, sizeof(int32_t) * (size_t)sigma);
        int32_t p = last;
        while (p != -1 && !m->next[(size_t)p * sigma + c]) { m->next[(size_t)p * sigma + c] = cur + 1; p = m->link[p]; }
        if (p == -1) {
            m->link[cur] = 0;
        } else {
            int32_t q = m->next[(size_t)p * sigma + c] - 1;
            if (m->len[p] + 1 == m->len[q]) {
                m->link[cur] = q;
            } else {
                int32_t clone = n++;
                m->len[clone] = m->len[p] + 1; m->link[clone] = m->link[q]; m->firstpos[clone] = m->firstpos[q];
                memcpy(m->next + (size_t)clone * sigma, m->next + (size_t)q * sigma, sizeof(int32_t) * (size_t)sigma);
                while (p != -1 && m->next[(size_t)p * sigma + c] == q + 1) {
                    m->next[(size_t)p * sigma + c] = clone + 1; p = m->link[p];
                }
                m->link[q] = m->link[cur] = clone;
            }
        }
        last = cur;
    }
    int32_t v = 0, l = 0, best = 0, bi = r.alo, bj = r.blo;
    for (int32_t i = r.alo; i < r.ahi; i++) {
        int32_t c = aid[i];
        if (c < 0) { v = 0; l = 0; continue; }
        while (v != 0 && !m->next[(size_t)v * sigma + c]) { v = m->link[v]; l = m->len[v]; }
        int32_t t = m->next[(size_t)v * sigma + c];
        if (t) { v = t - 1; l++; } else { v = 0; l = 0; }
        if (l > best) { best = l; bi = i - l + 1; bj = m->firstpos[v] - l + 1; }
    }
    *besti = bi; *bestj = bj; *bestsize = best;
    return 0;
}

/* mode: 0 = automaton for large ranges, DP for small ones; 1 = DP only; 2 = automaton
 * wherever it applies (tests compare all three with difflib) */
double srl_ratio_mode(const uint32_t *a, int32_t la, const uint32_t *b, int32_t lb, int32_t autojunk, int32_t mode) {
    int64_t total = (int64_t)la + lb;
    if (total == 0) return 1.0;
    if (la == 0 || lb == 0) return 0.0;
    if (la > MAX_LEN || lb > MAX_LEN) return -2.0;  /* packing limits: the caller falls back */

    double result = -1.0;
    Map map = {0};
    Sam sam = {0};
    int32_t *bid = NULL, *count = NULL, *start = NULL, *pos = NULL, *fill = NULL, *aid = NULL;
    uint64_t *cell = NULL;  /* (stamp << 24) | run length, one load per visited j */
    Range *stack = NULL;

    if (map_init(&map, lb) != 0) goto done;
    bid = (int32_t *)malloc(sizeof(int32_t) * lb);
    count = (int32_t *)calloc((size_t)lb + 1, sizeof(int32_t));
    aid = (int32_t *)malloc(sizeof(int32_t) * la);
    if (!bid || !count || !aid) goto done;

    int32_t nelem = 0;
    for (int32_t j = 0; j < lb; j++) {
        int32_t id = map_put(&map, b[j], nelem);
        if (id == nelem) nelem++;
        bid[j] = id;
        count[id]++;
    }
    /* autojunk: elements more frequent than 1% (+1) of b, when b has 200+ items, are dropped */
    int popular = 0;
    if (autojunk && lb >= 200) {
        int32_t ntest = lb / 100 + 1;
        for (int32_t j = 0; j < lb; j++)
            if (bid[j] >= 0 && count[bid[j]] > ntest) { bid[j] = -2 - bid[j]; popular = 1; }
    }
    start = (int32_t *)calloc((size_t)nelem + 1, sizeof(int32_t));
    fill = (int32_t *)calloc((size_t)nelem + 1, sizeof(int32_t));
    pos = (int32_t *)malloc(sizeof(int32_t) * lb);
    if (!start || !fill || !pos) goto done;
    for (int32_t j = 0; j < lb; j++) if (bid[j] >= 0) start[bid[j] + 1]++;
    for (int32_t e = 0; e < nelem; e++) start[e + 1] += start[e];
    for (int32_t j = 0; j < lb; j++)
        if (bid[j] >= 0) pos[start[bid[j]] + fill[bid[j]]++] = j;  /* ascending j */
    for (int32_t i = 0; i < la; i++) {
        int32_t id = map_get(&map, a[i]);
        /* a popular element has no b2j entry, exactly like difflib */
        aid[i] = (id >= 0 && (start[id + 1] - start[id]) > 0) ? id : -1;
    }

    /* the automaton treats every b item as matchable: not with popular items dropped */
    int use_sam = mode != 1 && !popular && nelem <= 256;
    if (use_sam) {
        sam.sigma = nelem; sam.cap = 2 * lb + 2;
        sam.len = (int32_t *)malloc(sizeof(int32_t) * sam.cap);
        sam.link = (int32_t *)malloc(sizeof(int32_t) * sam.cap);
        sam.firstpos = (int32_t *)malloc(sizeof(int32_t) * sam.cap);
        sam.next = (int32_t *)malloc(sizeof(int32_t) * (size_t)sam.cap * (size_t)nelem);
        if (!sam.len || !sam.link || !sam.firstpos || !sam.next) goto done;
    }
    cell = (uint64_t *)calloc((size_t)lb + 1, sizeof(uint64_t));
    int32_t cap = 64, top = 0;
    stack = (Range *)malloc(sizeof(Range) * cap);
    if (!cell || !stack) goto done;

    int64_t matches = 0;
    uint64_t call = 0;
    stack[top++] = (Range){0, la, 0, lb};
    while (top > 0) {
        Range r = stack[--top];
        int32_t besti = r.alo, bestj = r.blo, bestsize = 0;
        int64_t area = (int64_t)(r.ahi - r.alo) * (r.bhi - r.blo);
        /* building the automaton costs ~|b range| x sigma; the DP ~|a range| x |b range| / 16 */
        if (use_sam && (mode == 2 || (area > SAM_MIN_AREA && (r.ahi - r.alo) > 2 * nelem))) {
            sam_longest(&sam, aid, bid, r, &besti, &bestj, &bestsize);
        } else {
            call++;
            uint64_t base = call * ((uint64_t)la + 2);  /* unique stamp per (call, row) */
            for (int32_t i = r.alo; i < r.ahi; i++) {
                int32_t id = aid[i];
                if (id < 0) continue;
                const int32_t *p = pos + start[id], *end = pos + start[id + 1];
                /* last position < bhi, walking down to blo (difflib walks up; see header) */
                int32_t lo = 0, hi = (int32_t)(end - p);
                while (lo < hi) { int32_t mid = (lo + hi) >> 1; if (p[mid] < r.bhi) lo = mid + 1; else hi = mid; }
                uint64_t row = base + (uint64_t)i + 1, prev = row - 1;
                int32_t rowbest = 0, rowj = 0;
                for (int32_t t = lo - 1; t >= 0 && p[t] >= r.blo; t--) {
                    int32_t j = p[t];
                    /* cell is indexed j + 1 so that j - 1 = -1 reads the never-stamped cell[0] */
                    uint64_t c = cell[j];
                    int32_t k = ((c >> 24) == prev ? (int32_t)(c & 0xFFFFFF) : 0) + 1;
                    cell[j + 1] = (row << 24) | (uint64_t)k;
                    if (k >= rowbest) { rowbest = k; rowj = j; }  /* ties: smallest j, as difflib */
                }
                if (rowbest > bestsize) {
                    besti = i - rowbest + 1;
                    bestj = rowj - rowbest + 1;
                    bestsize = rowbest;
                }
            }
        }
        /* isjunk is None, so bjunk is empty: extend over equal (possibly popular) items */
        while (besti > r.alo && bestj > r.blo && a[besti - 1] == b[bestj - 1]) {
            besti--; bestj--; bestsize++;
        }
        while (besti + bestsize < r.ahi && bestj + bestsize < r.bhi && a[besti + bestsize] == b[bestj + bestsize])
            bestsize++;
        if (bestsize) {
            matches += bestsize;
            if (top + 2 > cap) {
                cap *= 2;
                Range *grown = (Range *)realloc(stack, sizeof(Range) * cap);
                if (!grown) goto done;
                stack = grown;
            }
            if (r.alo < besti && r.blo < bestj) stack[top++] = (Range){r.alo, besti, r.blo, bestj};
            if (besti + bestsize < r.ahi && bestj + bestsize < r.bhi)
                stack[top++] = (Range){besti + bestsize, r.ahi, bestj + bestsize, r.bhi};
        }
    }
    result = 2.0 * (double)matches / (double)total;

done:
    free(map.slots); free(bid); free(count); free(start); free(fill); free(pos); free(aid);
    free(cell); free(stack); free(sam.len); free(sam.link); free(sam.firstpos); free(sam.next);
    return result;  /* -1.0: out of memory, -2.0: too long for the packed cells */
}

double srl_ratio(const uint32_t *a, int32_t la, const uint32_t *b, int32_t lb, int32_t autojunk) {
    return srl_ratio_mode(a, la, b, lb, autojunk, 0);
}
"""

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_tried = False


def _cache_dir() -> Path:
    return Path(os.environ.get("SWE_SRL_CACHE", Path.home() / ".cache" / "swe-srl"))


def _compile(target: Path) -> bool:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = Path(tmp) / "ratio.c"
        source.write_text(C_SOURCE, encoding="utf-8")
        built = Path(tmp) / target.name
        cmd = [compiler, "-O2", "-shared", "-fPIC", "-o", str(built), str(source)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log.warning("native ratio: compiling failed, falling back to cydifflib/difflib: %s", proc.stderr[-500:])
            return False
        os.replace(built, target)  # atomic: concurrent ranks never load a half-written file
    return True


def _load() -> ctypes.CDLL | None:
    global _lib, _tried
    with _lock:
        if _tried:
            return _lib
        _tried = True
        tag = hashlib.sha256((C_SOURCE + platform.machine() + sys.platform).encode()).hexdigest()[:16]
        target = _cache_dir() / f"srl_ratio-{tag}.so"
        try:
            if not target.exists() and not _compile(target):
                return None
            lib = ctypes.CDLL(str(target))
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("native ratio unavailable (%s), falling back to cydifflib/difflib", exc)
            return None
        lib.srl_ratio_mode.restype = ctypes.c_double
        lib.srl_ratio_mode.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32,
                                       ctypes.c_int32]
        _lib = lib
        return _lib


def available() -> bool:
    """Whether the compiled ratio can be used on this machine (compiles on first call)."""
    return _load() is not None


def _encode(text: str) -> bytes:
    return text.encode("utf-32-le", "surrogatepass")


MAX_LEN = 1 << 19  # longer strings (half a million characters) go to difflib


def ratio(a: str, b: str, autojunk: bool = False, *, mode: int = 0) -> float:
    """Exactly `difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()`.

    `mode` picks the longest-match search for tests: 0 automatic, 1 the DP only, 2 the
    suffix automaton wherever it applies.
    """
    return _ratio(a, _encode(a), b, _encode(b), autojunk, mode)


def _ratio(a: str, ea: bytes, b: str, eb: bytes, autojunk: bool, mode: int = 0) -> float:
    lib = _load()
    if lib is None:
        raise RuntimeError("native ratio is not available on this machine")
    if len(a) > MAX_LEN or len(b) > MAX_LEN:
        import difflib

        return difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()
    value = lib.srl_ratio_mode(ea, len(a), eb, len(b), int(autojunk), mode)
    if value < 0:
        raise MemoryError("native ratio: out of memory")
    return value


class SequenceMatcher:
    """The slice of difflib's SequenceMatcher the reward uses: set_seq1/set_seq2/ratio."""

    def __init__(self, isjunk=None, a: str = "", b: str = "", autojunk: bool = True):
        if isjunk is not None:
            raise ValueError("the native matcher supports isjunk=None only")
        self.autojunk = autojunk
        self.set_seq1(a)
        self.set_seq2(b)

    def set_seq1(self, a: str) -> None:
        self.a, self._ea = a, _encode(a)

    def set_seq2(self, b: str) -> None:
        self.b, self._eb = b, _encode(b)

    def ratio(self) -> float:
        return _ratio(self.a, self._ea, self.b, self._eb, self.autojunk)
