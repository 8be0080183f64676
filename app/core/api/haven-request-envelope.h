/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haven-request.h"

G_BEGIN_DECLS

/* What a server without the backend's secret key may know of a request,
 * sent beside the sealed body (data/api/haven-api-v1.md, "The envelope"):
 * nothing the visitor typed, only what the kiosk chose or counted. The
 * receiver files and lists cases by it; whoever opens the body checks that
 * it says the same as the body. */
typedef struct {
  HavenRequestKind kind;
  /* One of haven_request_get_category_ids(). */
  char *category;
  /* The visitor's language, as the body's "locale". */
  char *locale;
  char *kiosk_id;
  /* The visitor said a child is involved. */
  gboolean child_involved;
  /* When the visitor confirmed, UTC. */
  GDateTime *created_at;
} HavenRequestEnvelope;

#define HAVEN_API_ENVELOPE_HEADER "Haven-Envelope"
/* The header's version, its member "v". */
#define HAVEN_REQUEST_ENVELOPE_VERSION 1
/* A longer header value is refused before it is read. */
#define HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES 1024

void                  haven_request_envelope_free           (HavenRequestEnvelope       *envelope);
HavenRequestEnvelope *haven_request_envelope_copy           (const HavenRequestEnvelope *envelope);
/* From a confirmed request; NULL (with *error set) when it lacks any part. */
HavenRequestEnvelope *haven_request_envelope_new_for_request (HavenRequest              *request,
                                                              GError                   **error);
/* The Haven-Envelope header's value (an RFC 8941 dictionary). */
char                 *haven_request_envelope_to_header      (const HavenRequestEnvelope *envelope);
/* Parses and checks a Haven-Envelope header for a submission of @kind; a
 * clear, untranslated error (for a 400 body) when it is malformed, too
 * long or holds an unknown category. */
HavenRequestEnvelope *haven_request_envelope_parse_header   (HavenRequestKind            kind,
                                                             const char                 *value,
                                                             GError                    **error);
/* FALSE, with *error naming the first difference, when @envelope does not
 * say what @request says. */
gboolean              haven_request_envelope_matches        (const HavenRequestEnvelope *envelope,
                                                             HavenRequest               *request,
                                                             GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenRequestEnvelope, haven_request_envelope_free)

G_END_DECLS
