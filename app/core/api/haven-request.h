/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The wire contract's names (data/api/haven-api-v1.md), the same for the
 * kiosk, havenctl and the receiver. */
#define HAVEN_API_HEALTH_PATH          "/v1/health"
#define HAVEN_API_CONTENT_TYPE_JSON    "application/json"
#define HAVEN_API_CONTENT_TYPE_SEALED  "application/vnd.haven.sealed"
/* The organisation's signed bundle of its directory and content
 * (data/api/haven-bundle-v1.md), as the intake service serves it. */
#define HAVEN_API_BUNDLE_PATH          "/v1/bundle"
#define HAVEN_API_CONTENT_TYPE_BUNDLE  "application/vnd.haven.bundle"

/* How many categories the API knows (haven_request_get_category_ids()). */
#define HAVEN_REQUEST_N_CATEGORIES 9

/* Limits from haven-api-v1.md. */
#define HAVEN_REQUEST_MAX_BODY_BYTES         (256 * 1024)
#define HAVEN_REQUEST_MAX_ITEMS              20
#define HAVEN_REQUEST_MAX_URL_LENGTH         2048
#define HAVEN_REQUEST_MAX_DESCRIPTION_LENGTH 1000
/* A request's key is its request_id, a UUID; a caseworker's event key is
 * one too. Anything longer than this is no key a client of ours makes. */
#define HAVEN_REQUEST_MAX_IDEMPOTENCY_KEY_LENGTH 200

typedef enum {
  HAVEN_REQUEST_KIND_REMOVAL,
  HAVEN_REQUEST_KIND_REPORT,
} HavenRequestKind;

#define HAVEN_REQUEST_ERROR (haven_request_error_quark ())

typedef enum {
  HAVEN_REQUEST_ERROR_INVALID,
  HAVEN_REQUEST_ERROR_TOO_BIG,
} HavenRequestError;

#define HAVEN_TYPE_REQUEST (haven_request_get_type ())

G_DECLARE_FINAL_TYPE (HavenRequest, haven_request, HAVEN, REQUEST, GObject)

GQuark              haven_request_error_quark        (void);

/* "removal" / "report": the names havenctl and the outbox use. */
const char         *haven_request_kind_to_string     (HavenRequestKind  kind);
gboolean            haven_request_kind_from_string   (const char       *string,
                                                      HavenRequestKind *kind);
/* "/v1/removal-requests" / "/v1/reports". */
const char         *haven_request_kind_get_path      (HavenRequestKind  kind);

/* The category ids of the content definitions, NULL-terminated. */
const char * const *haven_request_get_category_ids   (void);
gboolean            haven_request_is_category_id     (const char       *category);
/* The host of an absolute http(s) URL without a leading "www.", lowercased;
 * NULL when the URL has none. */
char               *haven_request_platform_for_url   (const char       *url);
gboolean            haven_request_is_uuid_v4         (const char       *string);
/* The key of an Idempotency-Key header (haven-api-v1.md), or NULL. */
char               *haven_request_parse_idempotency_key (const char    *value);

HavenRequest       *haven_request_new                (HavenRequestKind  kind);
/* Fails only when the text is not a JSON object, not UTF-8 or larger than
 * HAVEN_REQUEST_MAX_BODY_BYTES; fields of the wrong type are kept as unset
 * and reported by haven_request_validate(). For havenctl and the receiver:
 * json-glib's scanner leaves copies of the text in freed memory that
 * nothing can wipe, so the kiosk builds its requests with the setters. */
HavenRequest       *haven_request_new_from_json      (HavenRequestKind  kind,
                                                      const char       *json,
                                                      gssize            length,
                                                      GError          **error);
/* Checks every field, the envelope included. On FALSE, *field_errors (if
 * given) maps a field path ("items[0].url", "reporter.role", "category")
 * to a translated message that says what to do. */
gboolean            haven_request_validate           (HavenRequest     *self,
                                                      GHashTable      **field_errors);
/* The same, without the envelope that haven_request_confirm() fills in:
 * for a page checking the visitor's draft before they confirm. */
gboolean            haven_request_validate_draft     (HavenRequest     *self,
                                                      GHashTable      **field_errors);
/* Canonical UTF-8 JSON as haven-api-v1.md shows it: fixed member order, absent
 * optional members left out, no white space. The caller wipes it
 * (haven_wipe_string) when done: it holds what the visitor typed. */
char               *haven_request_to_json            (HavenRequest     *self,
                                                      gsize            *length);
/* Sets request_id to a fresh UUID v4 and created_at to now (UTC). */
void                haven_request_confirm            (HavenRequest     *self,
                                                      const char       *kiosk_id,
                                                      const char       *locale);
/* Zeroes and drops everything the visitor entered. */
void                haven_request_wipe               (HavenRequest     *self);

HavenRequestKind    haven_request_get_kind           (HavenRequest     *self);
const char         *haven_request_get_request_id     (HavenRequest     *self);
const char         *haven_request_get_created_at     (HavenRequest     *self);
const char         *haven_request_get_kiosk_id       (HavenRequest     *self);
const char         *haven_request_get_locale         (HavenRequest     *self);
const char         *haven_request_get_category       (HavenRequest     *self);
void                haven_request_set_category       (HavenRequest     *self,
                                                      const char       *category);
/* Whether the visitor said a child is involved ("child_involved", sent
 * only when true); the envelope carries it too. */
gboolean            haven_request_get_child_involved (HavenRequest     *self);
void                haven_request_set_child_involved (HavenRequest     *self,
                                                      gboolean          child_involved);

/* Removal items, addressed by position. A NULL platform is taken from the
 * URL's host. */
guint               haven_request_get_n_items        (HavenRequest     *self);
guint               haven_request_add_item           (HavenRequest     *self,
                                                      const char       *url,
                                                      const char       *platform,
                                                      const char       *description);
void                haven_request_set_item           (HavenRequest     *self,
                                                      guint             index,
                                                      const char       *url,
                                                      const char       *platform,
                                                      const char       *description);
void                haven_request_remove_item        (HavenRequest     *self,
                                                      guint             index);
const char         *haven_request_get_item_url       (HavenRequest     *self,
                                                      guint             index);
const char         *haven_request_get_item_platform  (HavenRequest     *self,
                                                      guint             index);
const char         *haven_request_get_item_description (HavenRequest   *self,
                                                        guint           index);

/* Reporter. Contact details are NULL unless the visitor chose to give them. */
const char         *haven_request_get_reporter_role  (HavenRequest     *self);
void                haven_request_set_reporter_role  (HavenRequest     *self,
                                                      const char       *role);
const char         *haven_request_get_contact_email  (HavenRequest     *self);
void                haven_request_set_contact_email  (HavenRequest     *self,
                                                      const char       *email);
const char         *haven_request_get_contact_phone  (HavenRequest     *self);
void                haven_request_set_contact_phone  (HavenRequest     *self,
                                                      const char       *phone);
gboolean            haven_request_get_consent_to_contact (HavenRequest *self);
void                haven_request_set_consent_to_contact (HavenRequest *self,
                                                          gboolean      consent);

/* Declaration (removal requests). */
gboolean            haven_request_get_declaration_accurate   (HavenRequest *self);
void                haven_request_set_declaration_accurate   (HavenRequest *self,
                                                              gboolean      accurate);
gboolean            haven_request_get_declaration_authorised (HavenRequest *self);
void                haven_request_set_declaration_authorised (HavenRequest *self,
                                                              gboolean      authorised);

/* Incident (reports). started_on is an RFC 3339 full-date, "2026-11-20";
 * the losses amount a decimal string ("250.00") so money is never a float. */
const char         *haven_request_get_started_on     (HavenRequest     *self);
void                haven_request_set_started_on     (HavenRequest     *self,
                                                      const char       *date);
const char         *haven_request_get_summary        (HavenRequest     *self);
void                haven_request_set_summary        (HavenRequest     *self,
                                                      const char       *summary);
const char         *haven_request_get_losses_amount  (HavenRequest     *self);
const char         *haven_request_get_losses_currency (HavenRequest    *self);
/* Both NULL to clear. */
void                haven_request_set_losses         (HavenRequest     *self,
                                                      const char       *amount,
                                                      const char       *currency);
const char         *haven_request_get_answer         (HavenRequest     *self,
                                                      const char       *question_id);
/* A NULL answer removes it. */
void                haven_request_set_answer         (HavenRequest     *self,
                                                      const char       *question_id,
                                                      const char       *answer);
/* Sorted question ids. */
GStrv               haven_request_dup_answer_ids     (HavenRequest     *self);

/* Evidence (reports): short descriptions of what the visitor holds. */
guint               haven_request_get_n_evidence     (HavenRequest     *self);
const char         *haven_request_get_evidence       (HavenRequest     *self,
                                                      guint             index);
guint               haven_request_add_evidence       (HavenRequest     *self,
                                                      const char       *evidence);
void                haven_request_remove_evidence    (HavenRequest     *self,
                                                      guint             index);

G_END_DECLS
