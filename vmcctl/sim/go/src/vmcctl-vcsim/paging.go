package main

// Paged RetrievePropertiesEx. govmomi 0.24 returns every object in one
// answer and has no ContinueRetrievePropertiesEx; vCenter pages. Here the
// simulator computes the full result, and when it holds more objects than
// the page size (options.maxObjects, capped at pageCap) the rest is kept
// under a token for ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

const (
	pageCap     = 1000
	tokenMaxAge = 10 * time.Minute
)

type pendingResult struct {
	objects []types.ObjectContent
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

// take returns the next page of objects and the token for the rest ("" when done).
func (p *pager) take(objects []types.ObjectContent, size int, token string) ([]types.ObjectContent, string) {
	if len(objects) <= size {
		if token != "" {
			delete(p.pending, token)
		}
		return objects, ""
	}
	if token == "" {
		p.next++
		token = fmt.Sprintf("vmcctl-page-%d", p.next)
	}
	now := time.Now()
	for t, r := range p.pending {
		if now.Sub(r.created) > tokenMaxAge {
			delete(p.pending, t)
		}
	}
	p.pending[token] = &pendingResult{objects: objects[size:], page: size, created: now}
	return objects[:size], token
}

func (f *front) retrievePaged(w http.ResponseWriter, r *http.Request, body []byte, req *types.RetrievePropertiesEx) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, r)
	size := pageSize(req.Options)
	raw := rec.Body.Bytes()
	if rec.Code != http.StatusOK || bytes.Count(raw, []byte("<objects>")) <= size {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(raw)
		return
	}
	resBody := &methods.RetrievePropertiesExBody{}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.TypeFunc = types.TypeFunc()
	if err := dec.Decode(&soap.Envelope{Body: resBody}); err != nil || resBody.Res == nil || resBody.Res.Returnval == nil {
		writeFault(w, newFault(fmt.Sprintf("paging the result failed: %v", err), &types.SystemError{Reason: "paging"}))
		return
	}
	p := f.s.pager
	p.mu.Lock()
	page, token := p.take(resBody.Res.Returnval.Objects, size, "")
	p.mu.Unlock()
	writeResponse(w, &types.RetrievePropertiesExResponse{Returnval: &types.RetrieveResult{Token: token, Objects: page}})
}

func (p *pager) continueRetrieve(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.ContinueRetrievePropertiesEx)
	p.mu.Lock()
	defer p.mu.Unlock()
	pend, ok := p.pending[r.Token]
	if !ok {
		return nil, invalidArg("token")
	}
	page, token := p.take(pend.objects, pend.page, r.Token)
	return &types.ContinueRetrievePropertiesExResponse{Returnval: types.RetrieveResult{Token: token, Objects: page}}, nil
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
