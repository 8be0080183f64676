/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "haven-request.h"

G_BEGIN_DECLS

/* What only the files of HavenRequest share: haven-request.c (the model
 * and its JSON), haven-request-parser.c and haven-request-validation.c. */

typedef struct {
  char *url;
  char *platform;
  char *description;
} HavenRequestItem;

struct _HavenRequest
{
  GObject parent_instance;

  /* Items, evidence and answers own wiped strings. */
  GPtrArray *items;
  GPtrArray *evidence;
  GHashTable *answers;
  /* Field paths whose JSON value had the wrong type; reported by
   * validation, since the parse itself must not fail on them. */
  GHashTable *malformed;

  HavenRequestKind kind;
  char *request_id;
  char *created_at;
  char *kiosk_id;
  char *locale;
  char *category;
  /* The visitor said a child is involved: the category is about a child,
   * or they said they were under 18 in what was shared. */
  gboolean child_involved;
  char *role;
  char *email;
  char *phone;
  gboolean consent_to_contact;
  gboolean accurate;
  gboolean authorised;
  char *started_on;
  char *summary;
  char *losses_amount;
  char *losses_currency;
};

/* Sets *@field to a copy of @value, wiping the old string; empty text is
 * no answer (NULL). */
void haven_request_replace_string (char       **field,
                                   const char  *value);

/* The rules haven_request_validate() applies to the request's envelope
 * members, shared with the Haven-Envelope header's parser
 * (haven-request-envelope.c) so that both accept the same values. */
#define HAVEN_REQUEST_MAX_KIOSK_ID_LENGTH 128
#define HAVEN_REQUEST_MAX_LOCALE_LENGTH   35
/* 1 to 128 characters of printable ASCII, space included. */
gboolean haven_request_is_kiosk_id      (const char *kiosk_id);
gboolean haven_request_is_locale        (const char *locale);
/* RFC 3339 in UTC, the "Z" form only, with at most 9 decimals. */
gboolean haven_request_is_rfc3339_utc   (const char *text);

/* Overwrites the strings of @node's tree, which json-glib would free
 * without wiping: the visitor's words must not stay in freed memory. */
void haven_request_wipe_json_node (JsonNode    *node);

G_END_DECLS
