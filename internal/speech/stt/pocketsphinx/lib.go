package pocketsphinx

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// The C libraries are loaded at run time with purego rather than linked
// with cgo, so that one binary, built with or without cgo, runs on
// machines with and without PocketSphinx and says which it found.
// The names are tried in order: the Debian sonames of 5prealpha first.
var (
	pocketsphinxNames = []string{"libpocketsphinx.so.3", "libpocketsphinx.so"}
	sphinxbaseNames   = []string{"libsphinxbase.so.3", "libsphinxbase.so"}
)

// lib is the part of the PocketSphinx 5prealpha C API this package uses.
// Only non-variadic functions: purego cannot call variadic ones. The
// pointer types of the C API are uintptr here; they are only handed back.
type lib struct {
	cmdLnParseR func(inout, defn uintptr, argc int32, argv **byte, strict int32) uintptr
	cmdLnFreeR  func(cmdln uintptr) int32
	ckdSalloc   func(s string, file string, line int32) *byte
	ckdFree     func(p unsafe.Pointer)
	logmathExp  func(lmath uintptr, logp int32) float64
	lmWid       func(lm uintptr, word string) int32
	lmUnknownID func(lm uintptr) int32
	lmSetIter   func(set uintptr) uintptr
	lmIterModel func(itor uintptr, name *uintptr) uintptr
	lmIterFree  func(itor uintptr)
	lmRead      func(config uintptr, path string, fileType int32, lmath uintptr) uintptr
	lmRetain    func(lm uintptr) uintptr
	lmFree      func(lm uintptr) int32
	lmCounts    func(lm uintptr) *uint32
	lmWeights   func(lm uintptr, logWIP *int32) float32
	lmSetInit   func(config uintptr, models *uintptr, names **byte, weights *float32, n int32) uintptr

	psArgs       func() uintptr
	psInit       func(config uintptr) uintptr
	psFree       func(ps uintptr) int32
	psGetSearch  func(ps uintptr) *byte
	psGetLM      func(ps uintptr, name *byte) uintptr
	psGetLogmath func(ps uintptr) uintptr
	psLoadDict   func(ps uintptr, dictfile string, fdictfile uintptr, format uintptr) int32
	psSetLM      func(ps uintptr, name string, lm uintptr) int32
	psSetSearch  func(ps uintptr, name string) int32
	psAddWord    func(ps uintptr, word, phones string, update int32) int32
	psLookupWord func(ps uintptr, word string) *byte
	psStartStrm  func(ps uintptr) int32
	psStartUtt   func(ps uintptr) int32
	psProcessRaw func(ps uintptr, data *int16, n uintptr, noSearch, fullUtt int32) int32
	psEndUtt     func(ps uintptr) int32
	psGetHyp     func(ps uintptr, score *int32) *byte
	psSegIter    func(ps uintptr) uintptr
	psSegNext    func(seg uintptr) uintptr
	psSegWord    func(seg uintptr) *byte
	psSegFrames  func(seg uintptr, sf, ef *int32)
	psSegProb    func(seg uintptr, ascr, lscr, lback *int32) int32
	psSegFree    func(seg uintptr)
	psNbest      func(ps uintptr) uintptr
	psNbestNext  func(nb uintptr) uintptr
	psNbestHyp   func(nb uintptr, score *int32) *byte
	psNbestFree  func(nb uintptr)

	errSetLogfp func(fp uintptr)
}

// errNoLibrary says the shared libraries are not installed.
var errNoLibrary = errors.New("libpocketsphinx.so.3 not found (install the Debian packages pocketsphinx and pocketsphinx-en-us)")

// loadLib opens the libraries and binds every function, or says why not.
// dlopen counts references, so loading again is cheap and nothing needs
// to be kept in package state.
func loadLib() (*lib, error) {
	return loadLibNamed(pocketsphinxNames, sphinxbaseNames)
}

func loadLibNamed(pocketsphinxNames, sphinxbaseNames []string) (*lib, error) {
	sb, err := dlopenFirst(sphinxbaseNames)
	if err != nil {
		return nil, errNoLibrary
	}
	ps, err := dlopenFirst(pocketsphinxNames)
	if err != nil {
		return nil, errNoLibrary
	}
	l := &lib{}
	binds := []struct {
		handle uintptr
		name   string
		fn     any
	}{
		{sb, "cmd_ln_parse_r", &l.cmdLnParseR},
		{sb, "cmd_ln_free_r", &l.cmdLnFreeR},
		{sb, "__ckd_salloc__", &l.ckdSalloc},
		{sb, "ckd_free", &l.ckdFree},
		{sb, "logmath_exp", &l.logmathExp},
		{sb, "ngram_wid", &l.lmWid},
		{sb, "ngram_unknown_wid", &l.lmUnknownID},
		{sb, "ngram_model_set_iter", &l.lmSetIter},
		{sb, "ngram_model_set_iter_model", &l.lmIterModel},
		{sb, "ngram_model_set_iter_free", &l.lmIterFree},
		{sb, "ngram_model_read", &l.lmRead},
		{sb, "ngram_model_retain", &l.lmRetain},
		{sb, "ngram_model_free", &l.lmFree},
		{sb, "ngram_model_get_counts", &l.lmCounts},
		{sb, "ngram_model_get_weights", &l.lmWeights},
		{sb, "ngram_model_set_init", &l.lmSetInit},
		{ps, "ps_args", &l.psArgs},
		{ps, "ps_init", &l.psInit},
		{ps, "ps_free", &l.psFree},
		{ps, "ps_get_search", &l.psGetSearch},
		{ps, "ps_get_lm", &l.psGetLM},
		{ps, "ps_get_logmath", &l.psGetLogmath},
		{ps, "ps_load_dict", &l.psLoadDict},
		{ps, "ps_set_lm", &l.psSetLM},
		{ps, "ps_set_search", &l.psSetSearch},
		{ps, "ps_add_word", &l.psAddWord},
		{ps, "ps_lookup_word", &l.psLookupWord},
		{ps, "ps_start_stream", &l.psStartStrm},
		{ps, "ps_start_utt", &l.psStartUtt},
		{ps, "ps_process_raw", &l.psProcessRaw},
		{ps, "ps_end_utt", &l.psEndUtt},
		{ps, "ps_get_hyp", &l.psGetHyp},
		{ps, "ps_seg_iter", &l.psSegIter},
		{ps, "ps_seg_next", &l.psSegNext},
		{ps, "ps_seg_word", &l.psSegWord},
		{ps, "ps_seg_frames", &l.psSegFrames},
		{ps, "ps_seg_prob", &l.psSegProb},
		{ps, "ps_seg_free", &l.psSegFree},
		{ps, "ps_nbest", &l.psNbest},
		{ps, "ps_nbest_next", &l.psNbestNext},
		{ps, "ps_nbest_hyp", &l.psNbestHyp},
		{ps, "ps_nbest_free", &l.psNbestFree},
		{sb, "err_set_logfp", &l.errSetLogfp},
	}
	for _, b := range binds {
		sym, err := dlsym(b.handle, b.name)
		if err != nil {
			return nil, fmt.Errorf("the installed PocketSphinx lacks %s (want version 5prealpha): %w", b.name, err)
		}
		purego.RegisterFunc(b.fn, sym)
	}
	// The library's log is one process-wide FILE*. A decoder configured
	// with -logfn replaces it at ps_init and fcloses the old one, which
	// another decoder may be writing to at that moment ("double free or
	// corruption" with decoders made in parallel). So no decoder names a
	// log file, and the log is switched off here, for every decoder, once
	// (NULL disables it; the default is stderr, a few hundred lines per
	// decoder).
	silenceLog.Do(func() { l.errSetLogfp(0) })
	return l, nil
}

var silenceLog sync.Once

// goString copies a C string; nil is "".
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// cArgv copies args into C memory for cmd_ln_parse_r, which may keep
// pointers to them for the life of the configuration; free with freeArgv.
func (l *lib) cArgv(args []string) []*byte {
	argv := make([]*byte, len(args))
	for i, a := range args {
		argv[i] = l.ckdSalloc(a, "gmc", 0)
	}
	return argv
}

func (l *lib) freeArgv(argv []*byte) {
	for _, p := range argv {
		l.ckdFree(unsafe.Pointer(p))
	}
}

func unsafePointer(p *byte) unsafe.Pointer { return unsafe.Pointer(p) }
