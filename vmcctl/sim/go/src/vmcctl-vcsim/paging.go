package main

// Paged RetrievePropertiesEx. govmomi 0.24 returns every object in one
// answer and has no ContinueRetrievePropertiesEx; vCenter pages. Here the
// simulator computes the full result, and when it holds more objects than
// the page size (options.maxObjects, capped at pageCap) the rest is kept
// under a token for ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx.
//
// Pages are cut from the simulator's encoded answer: each <objects> element
// is a self-contained ObjectContent (they never nest), so the answer splits
// into a head, the object elements and a tail without decoding 10,000
// objects and encoding them again.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	pageCap     = 1000
	tokenMaxAge = 10 * time.Minute
)

var (
	objOpen  = []byte("<objects>")
	objClose = []byte("</objects>")
)

type pendingResult struct {
	objects [][]byte // encoded <objects>...</objects> elements still to send
	head    []byte   // envelope up to <returnval>, for a ContinueRetrievePropertiesExResponse
	tail    []byte
	page    int
	created time.Time
}

type pager struct {
	mu      sync.Mutex
	next    int
	pending map[string]*pendingResult
}

func newPager() *pager { return &pager{pending: map[string]*pendingResult{}} }

func pageSize(opts types.RetrieveOptions) int {
	if opts.MaxObjects > 0 && int(opts.MaxObjects) < pageCap {
		return int(opts.MaxObjects)
	}
	return pageCap
}

// splitObjects cuts an encoded RetrieveResult answer into head, object elements and tail.
func splitObjects(raw []byte) (head []byte, objs [][]byte, tail []byte) {
	first := bytes.Index(raw, objOpen)
	if first < 0 {
		return raw, nil, nil
	}
	pos := first
	for {
		end := bytes.Index(raw[pos:], objClose)
		if end < 0 {
			break
		}
		end = pos + end + len(objClose)
		objs = append(objs, raw[pos:end])
		pos = end
		if !bytes.HasPrefix(raw[pos:], objOpen) {
			break
		}
	}
	return raw[:first], objs, raw[pos:]
}

// compose writes head + token + objects + tail.
func compose(w http.ResponseWriter, head []byte, token string, objs [][]byte, tail []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(head)
	if token != "" {
		_, _ = fmt.Fprintf(w, "<token>%s</token>", token)
	}
	for _, o := range objs {
		_, _ = w.Write(o)
	}
	_, _ = w.Write(tail)
}

func (f *front) retrievePaged(w http.ResponseWriter, r *http.Request, body []byte, req *types.RetrievePropertiesEx, user *userRec) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, r)
	size := pageSize(req.Options)
	raw := rec.Body.Bytes()
	if user != nil && rec.Code == http.StatusOK {
		// a restricted user: decode, move what may not be read to missingSet, encode again
		res := &methods.RetrievePropertiesExBody{}
		if err := decodeResponse(raw, res); err != nil || res.Res == nil {
			writeFault(w, newFault("cannot restrict the result", &types.SystemError{Reason: fmt.Sprint(err)}))
			return
		}
		if res.Res.Returnval != nil {
			restrict(user, res.Res.Returnval.Objects, wantedPaths(req.SpecSet))
		}
		out, err := encodeEnvelope(responseBody{res.Res})
		if err != nil {
			writeFault(w, newFault("cannot restrict the result", &types.SystemError{Reason: err.Error()}))
			return
		}
		raw = out
	}
	if rec.Code != http.StatusOK || bytes.Count(raw, objOpen) <= size {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(raw)
		return
	}
	head, objs, tail := splitObjects(raw)
	p := f.s.pager
	p.mu.Lock()
	p.next++
	token := fmt.Sprintf("vmcctl-page-%d", p.next)
	now := time.Now()
	for t, pr := range p.pending {
		if now.Sub(pr.created) > tokenMaxAge {
			delete(p.pending, t)
		}
	}
	p.pending[token] = &pendingResult{
		objects: objs[size:],
		head:    bytes.Replace(head, []byte("RetrievePropertiesExResponse"), []byte("ContinueRetrievePropertiesExResponse"), 1),
		tail:    bytes.Replace(tail, []byte("RetrievePropertiesExResponse"), []byte("ContinueRetrievePropertiesExResponse"), 1),
		page:    size, created: now,
	}
	p.mu.Unlock()
	compose(w, head, token, objs[:size], tail)
}

// retrieveRestricted answers RetrieveProperties for a restricted user.
func (f *front) retrieveRestricted(w http.ResponseWriter, r *http.Request, body []byte, req *types.RetrieveProperties, user *userRec) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, r)
	res := &methods.RetrievePropertiesBody{}
	if rec.Code != http.StatusOK || decodeResponse(rec.Body.Bytes(), res) != nil || res.Res == nil {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	restrict(user, res.Res.Returnval, wantedPaths(req.SpecSet))
	writeResponse(w, res.Res)
}

func (f *front) continuePaged(w http.ResponseWriter, req *types.ContinueRetrievePropertiesEx) {
	p := f.s.pager
	p.mu.Lock()
	pend, ok := p.pending[req.Token]
	if !ok {
		p.mu.Unlock()
		writeFault(w, invalidArg("token"))
		return
	}
	n := pend.page
	token := req.Token
	if len(pend.objects) <= n {
		n = len(pend.objects)
		token = ""
		delete(p.pending, req.Token)
	}
	page := pend.objects[:n]
	pend.objects = pend.objects[n:]
	p.mu.Unlock()
	compose(w, pend.head, token, page, pend.tail)
}

func (p *pager) cancelRetrieve(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.CancelRetrievePropertiesEx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.pending[r.Token]; !ok {
		return nil, invalidArg("token")
	}
	delete(p.pending, r.Token)
	return &types.CancelRetrievePropertiesExResponse{}, nil
}
