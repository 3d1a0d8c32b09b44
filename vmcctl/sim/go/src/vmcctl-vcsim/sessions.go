package main

// Session bookkeeping on top of the simulator's own: which session cookies
// are known good, and which were dropped by POST /_sim/sessions/expire
// (those get NotAuthenticated until the client logs in again). Cookie
// values are kept in memory only and never logged.

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/vmware/govmomi/vim25/soap"
)

type sessions struct {
	mu   sync.Mutex
	live map[string]bool
	dead map[string]bool
}

func newSessions() *sessions {
	return &sessions{live: map[string]bool{}, dead: map[string]bool{}}
}

func sessionCookie(r *http.Request) string {
	if c, err := r.Cookie(soap.SessionCookieName); err == nil {
		return c.Value
	}
	return ""
}

func (s *sessions) born(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dead[id] {
		s.live[id] = true
	}
}

func (s *sessions) isDead(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead[id]
}

func (s *sessions) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, id)
}

// alive says whether the cookie names a usable session; unknown cookies are
// checked once with the simulator (probe) and remembered.
func (s *sessions) alive(id string, probe func() bool) bool {
	if id == "" {
		return false
	}
	s.mu.Lock()
	dead, live := s.dead[id], s.live[id]
	s.mu.Unlock()
	if dead {
		return false
	}
	if live {
		return true
	}
	if !probe() {
		return false
	}
	s.born(id)
	return true
}

// expireAll drops every session known so far.
func (s *sessions) expireAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.live)
	for id := range s.live {
		s.dead[id] = true
	}
	s.live = map[string]bool{}
	return n
}

const probeBody = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime></soapenv:Body></soapenv:Envelope>`

// probe asks the simulator whether the request's session cookie is valid.
func (f *front) probe(r *http.Request) bool {
	req := httptest.NewRequest(http.MethodPost, "/sdk", bytes.NewBufferString(probeBody))
	for _, c := range r.Cookies() {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, req)
	return rec.Code == http.StatusOK
}
