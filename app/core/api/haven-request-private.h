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

/* Overwrites the strings of @node's tree, which json-glib would free
 * without wiping: the visitor's words must not stay in freed memory. */
void haven_request_wipe_json_node (JsonNode    *node);

G_END_DECLS
