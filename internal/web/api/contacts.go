package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Contacts are personal: every route works on the caller's own contacts
// (me.AccountID) and the contacts service decides whether the caller may
// keep any (an operator, who has none, gets 404).

func (h *Handler) listContactsPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	f := contacts.Filter{Search: r.URL.Query().Get("search")}
	if f.GroupID, err = queryInt(r, "group_id"); err != nil {
		return err
	}
	pg, err := h.app.Contacts.ContactsPage(r.Context(), me, me.AccountID, f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func (h *Handler) getContactPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.app.Contacts.Contact(r.Context(), me, me.AccountID, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) createContactPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	var req contacts.ContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Contacts.CreateContact(r.Context(), me, me.AccountID, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/contacts/"+strconv.FormatInt(c.ID, 10))
	WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) updateContactPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req contacts.ContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Contacts.UpdateContact(r.Context(), me, me.AccountID, id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) deleteContactPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.app.Contacts.DeleteContacts(r.Context(), me, me.AccountID, []int64{id}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ContactIDsRequest names contacts: POST /api/v1/contacts/delete and the
// members of a contact group.
type ContactIDsRequest struct {
	IDs []int64 `json:"ids"`
}

// ContactsDeleted answers POST /api/v1/contacts/delete.
type ContactsDeleted struct {
	Deleted int `json:"deleted"`
}

// deleteContacts is Delete with several contacts selected (or Select all).
// It is all or nothing: an id that is not one of the caller's contacts
// answers 404 and deletes nothing.
func (h *Handler) deleteContactsPersonal(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	var req ContactIDsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	n, err := h.app.Contacts.DeleteContacts(r.Context(), me, me.AccountID, req.IDs)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ContactsDeleted{Deleted: n})
	return nil
}

// ContactsRevision answers GET /api/v1/contacts/revision.
type ContactsRevision struct {
	// Revision changes with every change to the caller's contacts or groups.
	Revision int64 `json:"revision"`
	Count    int   `json:"count"`
	Max      int   `json:"max"`
}

func (h *Handler) contactsRevision(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	rev, err := h.app.Contacts.Revision(r.Context(), me, me.AccountID)
	if err != nil {
		return err
	}
	n, err := h.app.Contacts.Count(r.Context(), me, me.AccountID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ContactsRevision{Revision: rev, Count: n, Max: contacts.MaxContacts})
	return nil
}

// writeFile sends a download with its file name.
func writeContactsFile(w http.ResponseWriter, f contacts.File) {
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Body)
}

// exportContacts is Export All: ?mode=outlook|windows|native|vcard|vcard3
// (native when absent).
func (h *Handler) exportContacts(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	mode := contacts.ExportMode(r.URL.Query().Get("mode"))
	if mode == "" {
		mode = contacts.ExportNative
	}
	f, err := h.app.Contacts.Export(r.Context(), me, me.AccountID, mode)
	if err != nil {
		return err
	}
	writeContactsFile(w, f)
	return nil
}

// contactsTemplate is "Contacts Minimal version" / "Contacts Full version".
// The templates are the same for everybody; they still need a login, like
// the page that offers them.
func (h *Handler) contactsTemplate(w http.ResponseWriter, r *http.Request) error {
	f, err := contacts.Template(contacts.TemplateKind(r.PathValue("kind")))
	if err != nil {
		if errors.Is(err, derrors.ErrInvalid) || errors.As(err, new(*derrors.ValidationError)) {
			return derrors.ErrNotFound
		}
		return err
	}
	writeContactsFile(w, f)
	return nil
}

func (h *Handler) listContactGroups(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	gs, err := h.app.Contacts.Groups(r.Context(), me, me.AccountID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(gs, len(gs), pageOf(len(gs))))
	return nil
}

// ContactGroupRequest creates or renames a contact group.
type ContactGroupRequest struct {
	Name string `json:"name"`
}

func (h *Handler) createContactGroup(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	var req ContactGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := h.app.Contacts.CreateGroup(r.Context(), me, me.AccountID, req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/contacts/groups/"+strconv.FormatInt(g.ID, 10))
	WriteJSON(w, http.StatusCreated, g)
	return nil
}

func (h *Handler) getContactGroup(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := h.app.Contacts.Group(r.Context(), me, me.AccountID, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) renameContactGroup(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ContactGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := h.app.Contacts.RenameGroup(r.Context(), me, me.AccountID, id, req.Name)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) deleteContactGroup(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Contacts.DeleteGroup(r.Context(), me, me.AccountID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ContactGroupMembersRequest adds contacts to a group and removes others.
type ContactGroupMembersRequest struct {
	Add    []int64 `json:"add"`
	Remove []int64 `json:"remove"`
}

func (h *Handler) changeContactGroupMembers(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ContactGroupMembersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Add) == 0 && len(req.Remove) == 0 {
		return derrors.Invalid("add", "name at least one contact to add or remove")
	}
	if len(req.Add) > 0 {
		if err := h.app.Contacts.AddToGroup(r.Context(), me, me.AccountID, id, req.Add); err != nil {
			return err
		}
	}
	if len(req.Remove) > 0 {
		if err := h.app.Contacts.RemoveFromGroup(r.Context(), me, me.AccountID, id, req.Remove); err != nil {
			return err
		}
	}
	g, err := h.app.Contacts.Group(r.Context(), me, me.AccountID, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

// readImportUpload reads an import file from a request: a multipart/form-data
// body (a "file" part and optionally an "action" part), or the file itself
// as the body with Content-Type text/csv, text/vcard (or text/x-vcard,
// text/plain, application/octet-stream). contacts.ReadUpload keeps at most
// contacts.MaxFileSize bytes and refuses a larger file with its true size.
// The action comes from the "action" part or the ?action= parameter.
func readImportUpload(r *http.Request) (file []byte, action string, err error) {
	action = r.URL.Query().Get("action")
	ct := r.Header.Get("Content-Type")
	mt, params, perr := mime.ParseMediaType(ct)
	if ct == "" || perr != nil {
		return nil, "", &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
			detail: "send the file as multipart/form-data (a part named file) or as the body with Content-Type text/csv or text/vcard"}
	}
	limit := contacts.ReadUpload
	switch mt {
	case "text/csv", "text/vcard", "text/x-vcard", "text/directory", "text/plain", "application/octet-stream":
		file, err = limit(r.Body)
		return file, action, err
	case "multipart/form-data":
	default:
		return nil, "", &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
			detail: fmt.Sprintf("send the file as multipart/form-data or text/csv or text/vcard, not %q", mt)}
	}
	if r.MultipartForm != nil {
		// Already parsed (a browser form whose CSRF field was read first).
		if vs := r.MultipartForm.Value["action"]; len(vs) > 0 {
			action = vs[0]
		}
		fhs := r.MultipartForm.File["file"]
		if len(fhs) == 0 {
			return nil, action, nil
		}
		f, err := fhs[0].Open()
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		file, err = limit(f)
		return file, action, err
	}
	if params["boundary"] == "" {
		return nil, "", &malformedError{detail: "the multipart body has no boundary parameter in its Content-Type"}
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	seen := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", &malformedError{detail: "the multipart body could not be read: " + err.Error()}
		}
		switch part.FormName() {
		case "file":
			if !seen {
				if file, err = limit(part); err != nil {
					return nil, "", err
				}
				seen = true
			}
		case "action":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			action = strings.TrimSpace(string(b))
		}
		part.Close()
	}
	return file, action, nil
}

// previewContactImport is the import dialog's Import: the file is read and
// the counts and Details computed; nothing is stored in the contacts until
// confirm.
func (h *Handler) previewContactImport(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	file, action, err := readImportUpload(r)
	if err != nil {
		return err
	}
	pv, err := h.app.Contacts.PreviewImport(r.Context(), me, me.AccountID, file, contacts.Action(action))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/contacts/imports/"+strconv.FormatInt(pv.ID, 10))
	WriteJSON(w, http.StatusCreated, pv)
	return nil
}

func (h *Handler) getContactImport(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pv, err := h.app.Contacts.Import(r.Context(), me, me.AccountID, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, pv)
	return nil
}

func (h *Handler) confirmContactImport(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := h.app.Contacts.ConfirmImport(r.Context(), me, me.AccountID, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *Handler) cancelContactImport(w http.ResponseWriter, r *http.Request) error {
	me := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Contacts.CancelImport(r.Context(), me, me.AccountID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
