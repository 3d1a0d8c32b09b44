package main

// The /sdk front controller. Most SOAP calls go straight to govmomi's
// simulator; the methods vmcctl depends on (relocation, power, maintenance,
// CancelTask, paging) are decoded and answered here, and dead sessions are
// refused before anything else runs.

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// handler answers one intercepted SOAP method: a *types.XxxResponse, or a fault.
type handler func(req interface{}) (interface{}, *soapFault)

type soapFault struct {
	msg   string
	fault types.BaseMethodFault
}

// passThrough, returned by a handler, sends the call on to govmomi unchanged.
var passThrough = &soapFault{msg: "pass"}

func newFault(msg string, f types.BaseMethodFault) *soapFault {
	f.GetMethodFault().FaultMessage = []types.LocalizableMessage{{Key: "vmcctl.sim.fault", Message: msg}}
	return &soapFault{msg: msg, fault: f}
}

// Methods that need no session, as on vCenter.
var noSession = map[string]bool{
	"RetrieveServiceContent": true, "Login": true, "LoginByToken": true,
	"LoginExtensionByCertificate": true,
}

type front struct {
	s        *sim
	svc      *simulator.Service
	handlers map[string]handler
}

func newFront(s *sim, svc *simulator.Service) *front {
	f := &front{s: s, svc: svc}
	f.handlers = map[string]handler{
		"RelocateVM_Task":            s.relocateVM,
		"PowerOnVM_Task":             s.powerOnVM,
		"PowerOffVM_Task":            s.powerOffVM,
		"EnterMaintenanceMode_Task":  s.enterMaintenance,
		"ExitMaintenanceMode_Task":   s.exitMaintenance,
		"CancelTask":                 s.cancelTask,
		"CancelRetrievePropertiesEx": s.pager.cancelRetrieve,
		"Destroy_Task":               s.destroy,
		"Rename_Task":                s.rename,
		"SetField":                   s.setField,
		"setCustomValue":             s.setCustomValue, // its WSDL name starts lower-case
	}
	for name, h := range s.checkHandlers() { // checks.go: vCenter's "may I?" questions
		f.handlers[name] = h
	}
	return f
}

// fetchReq is pyVmomi's (undocumented) Fetch: one property of one object.
type fetchReq struct {
	This types.ManagedObjectReference `xml:"_this"`
	Prop string                       `xml:"prop"`
}

// FetchResponse is an answer to Fetch with no value.
type FetchResponse struct{}

// fetch passes a Fetch to govmomi, whose Fetch panics on a property with no
// value (e.g. the root folder's parent); that answer is "no value" (None).
func (f *front) fetch(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		f.svc.ServeSDK(rec, r)
		return true
	}()
	if !ok {
		writeResponse(w, &FetchResponse{})
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// frontTypes is the vim type table plus Fetch, so Fetch calls are seen here.
func frontTypes() func(string) (reflect.Type, bool) {
	vim := types.TypeFunc()
	fetch := reflect.TypeOf(fetchReq{})
	return func(name string) (reflect.Type, bool) {
		if name == "Fetch" {
			return fetch, true
		}
		return vim(name)
	}
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.svc.ServeSDK(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	method, err := simulator.UnmarshalBody(frontTypes(), body)
	if err != nil {
		f.pass(w, r, body)
		return
	}
	cookie := sessionCookie(r)
	if noSession[method.Name] {
		if f.s.sess.isDead(cookie) {
			r.Header.Del("Cookie") // a fresh login on a dropped session
		}
		if method.Name == "Login" {
			f.login(w, r, body, method.Body.(*types.Login))
			return
		}
		f.pass(w, r, body)
		return
	}
	if !f.s.sess.alive(cookie, func() bool { return f.probe(r) }) {
		writeFault(w, newFault("The session is not authenticated.", &types.NotAuthenticated{
			NoPermission: types.NoPermission{Object: method.This, PrivilegeId: "System.View"}}))
		return
	}
	user := f.s.users[f.s.sess.owner(cookie)] // nil: the administrator
	if fault := f.s.authorize(user, method.Name, method.Body); fault != nil {
		writeFault(w, fault)
		return
	}
	switch method.Name {
	case "Logout":
		f.s.sess.forget(cookie)
	case "RetrievePropertiesEx":
		f.retrievePaged(w, r, body, method.Body.(*types.RetrievePropertiesEx), user)
		return
	case "ContinueRetrievePropertiesEx":
		f.continuePaged(w, method.Body.(*types.ContinueRetrievePropertiesEx))
		return
	case "RetrieveProperties":
		if user != nil {
			f.retrieveRestricted(w, r, body, method.Body.(*types.RetrieveProperties), user)
			return
		}
	case "Fetch":
		req := method.Body.(*fetchReq)
		if !user.canRead(req.This.Type, req.Prop) {
			writeFault(w, noPermission(req.This, "System.Read"))
			return
		}
		f.fetch(w, r, body)
		return
	}
	h, ok := f.handlers[method.Name]
	if !ok {
		f.pass(w, r, body)
		return
	}
	res, fault := h(method.Body)
	if fault == passThrough {
		f.pass(w, r, body)
		return
	}
	if fault != nil {
		writeFault(w, fault)
		return
	}
	writeResponse(w, res)
}

// pass hands the request to govmomi's simulator unchanged, noting new sessions.
func (f *front) pass(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.svc.ServeSDK(&cookieWatch{ResponseWriter: w, s: f.s.sess}, r)
}

type cookieWatch struct {
	http.ResponseWriter
	s    *sessions
	user string // who logs in ("" if not a Login)
	code int
}

func (c *cookieWatch) WriteHeader(code int) {
	c.code = code
	for _, ck := range (&http.Response{Header: c.Header()}).Cookies() {
		if ck.Name == soap.SessionCookieName {
			c.s.bornAs(ck.Value, c.user)
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

// ---- SOAP encoding of our own answers (same wire format as the simulator) ----

type envelope struct {
	XMLName xml.Name    `xml:"soapenv:Envelope"`
	Enc     string      `xml:"xmlns:soapenc,attr"`
	Env     string      `xml:"xmlns:soapenv,attr"`
	XSD     string      `xml:"xmlns:xsd,attr"`
	XSI     string      `xml:"xmlns:xsi,attr"`
	Body    interface{} `xml:"soapenv:Body"`
}

type responseBody struct{ res interface{} }

func (b responseBody) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	name := reflect.TypeOf(b.res).Elem().Name()
	if name == "SetCustomValueResponse" {
		name = "setCustomValueResponse"
	}
	if err := e.EncodeElement(b.res, xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: name}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

type faultXML struct {
	XMLName xml.Name `xml:"soapenv:Fault"`
	Code    string   `xml:"faultcode"`
	String  string   `xml:"faultstring"`
	Detail  struct {
		Fault faultDetail
	} `xml:"detail"`
}

type faultDetail struct{ fault types.BaseMethodFault }

func (d faultDetail) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	kind := reflect.TypeOf(d.fault).Elem().Name()
	start.Name = xml.Name{Local: kind + "Fault"}
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: "urn:vim25"},
		xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: kind})
	return e.EncodeElement(d.fault, start)
}

func encodeEnvelope(body interface{}) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(xml.Header)
	e := xml.NewEncoder(&out)
	err := e.Encode(&envelope{
		Enc: "http://schemas.xmlsoap.org/soap/encoding/", Env: "http://schemas.xmlsoap.org/soap/envelope/",
		XSD: "http://www.w3.org/2001/XMLSchema", XSI: "http://www.w3.org/2001/XMLSchema-instance",
		Body: body,
	})
	if err == nil {
		err = e.Flush()
	}
	return out.Bytes(), err
}

// decodeResponse reads a SOAP answer (e.g. the simulator's) into body, a
// methods.XxxBody.
func decodeResponse(raw []byte, body interface{}) error {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(&soap.Envelope{Body: body})
}

func writeEnvelope(w http.ResponseWriter, status int, body interface{}) {
	out, err := encodeEnvelope(body)
	if err != nil {
		log.Printf("encoding SOAP response: %v", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func writeResponse(w http.ResponseWriter, res interface{}) {
	writeEnvelope(w, http.StatusOK, responseBody{res})
}

func writeFault(w http.ResponseWriter, f *soapFault) {
	body := struct {
		Fault *faultXML
	}{&faultXML{Code: "ServerFaultCode", String: f.msg}}
	body.Fault.Detail.Fault = faultDetail{f.fault}
	writeEnvelope(w, http.StatusInternalServerError, body)
}
