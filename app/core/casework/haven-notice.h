/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-case.h"
#include "haven-notice-crosswalk.h"
#include "haven-notice-platforms.h"

G_BEGIN_DECLS

/* One notice of illegal content for one recipient (EU Digital Services
 * Act, Art. 16): the addresses of an opened case that one platform hosts,
 * addressed to that platform or, for child sexual abuse material, to a
 * hotline. Its four elements (Art. 16(2)) are prefilled by
 * haven_notice_build_all() and reviewed by the caseworker; every export
 * (the package of data/api/haven-notice-package-v1.md, the text for a web
 * form, an email, a letter) is made from the same notice and refused until
 * it is complete and its good-faith statement confirmed.
 *
 * A notice holds addresses and words of the visitor's request: it lives in
 * memory only, and finalizing it wipes them. */

#define HAVEN_NOTICE_ERROR (haven_notice_error_quark ())

typedef enum {
  /* The notice is not complete or breaks a rule of the package's
   * contract: the message says what to do, in the caseworker's words. */
  HAVEN_NOTICE_ERROR_INCOMPLETE,
  /* The case cannot give notices: not a removal request, or no address. */
  HAVEN_NOTICE_ERROR_NO_ADDRESSES,
} HavenNoticeError;

/* Who the notice names as its sender, Art. 16(2)(c). */
typedef enum {
  /* The organisation, from the desk's settings. */
  HAVEN_NOTICE_NOTIFIER_ORGANISATION,
  /* Someone else the caseworker names: the person the organisation
   * supports, when they chose to be named. */
  HAVEN_NOTICE_NOTIFIER_PERSON,
  /* Nobody: allowed for child sexual abuse material only. */
  HAVEN_NOTICE_NOTIFIER_LEFT_OUT,
} HavenNoticeNotifier;

/* What the deployment says about its notices (the desk's settings). */
typedef struct {
  /* The organisation as notifier; empty or NULL when not set. */
  const char *organisation_name;
  const char *organisation_email;
  /* Whether the organisation is a trusted flagger (Art. 22). */
  gboolean    trusted_flagger;
  /* ISO 3166-1 alpha-2 code of the country whose hotline takes child
   * sexual abuse material; NULL or empty for the table's network entry. */
  const char *hotline_country;
} HavenNoticeSettings;

#define HAVEN_TYPE_NOTICE (haven_notice_get_type ())

G_DECLARE_FINAL_TYPE (HavenNotice, haven_notice, HAVEN, NOTICE, GObject)

GQuark              haven_notice_error_quark              (void);

/* (element-type HavenNotice): one notice per hosting provider among the
 * case's addresses, in the order the addresses come. A host the table
 * lacks is a provider of its own, named by its host name. Child sexual
 * abuse material (the crosswalk says so of the category, or a child is
 * involved in intimate images) goes to the hotline, with the notifier
 * left out until the caseworker chooses otherwise. */
GPtrArray          *haven_notice_build_all                (HavenCase                 *opened,
                                                           HavenNoticeCrosswalk      *crosswalk,
                                                           HavenNoticePlatforms      *platforms,
                                                           const HavenNoticeSettings *settings,
                                                           GError                   **error);

/* The hosting provider of @url as a notice names it: the table's
 * platform id, else the host name in lower-case ASCII; NULL for an
 * address without a host. So that an outcome recorded on the case page
 * counts in the report as one recorded through a notice. */
char               *haven_notice_dup_hosting_provider     (HavenNoticePlatforms      *platforms,
                                                           const char                *url);

const char         *haven_notice_get_notice_id            (HavenNotice  *self);
const char         *haven_notice_get_created_at           (HavenNotice  *self);
const char         *haven_notice_get_case_reference       (HavenNotice  *self);
/* BCP 47 tag of the language the notice's texts are written in. */
const char         *haven_notice_get_language             (HavenNotice  *self);
gboolean            haven_notice_is_child_abuse_material  (HavenNotice  *self);

/* The recipient: "platform" or "hotline", its id in the platforms table
 * ("unlisted" for a host the table lacks), name and legal entity (or
 * NULL), and the channel the notice goes through: "web-form", "email",
 * "in-app" or "unknown", with its address (NULL for the last two). */
const char         *haven_notice_get_recipient_kind       (HavenNotice  *self);
const char         *haven_notice_get_recipient_id         (HavenNotice  *self);
const char         *haven_notice_get_recipient_name       (HavenNotice  *self);
const char         *haven_notice_get_recipient_entity     (HavenNotice  *self);
const char         *haven_notice_get_channel_kind         (HavenNotice  *self);
const char         *haven_notice_get_channel_address      (HavenNotice  *self);
/* A page where the recipient says how to notify it, or NULL. */
const char         *haven_notice_get_guidance             (HavenNotice  *self);
/* The platform hosting the addresses: its id in the table, or the host
 * name when the table lacks it. What the yearly report counts by. */
const char         *haven_notice_get_hosting_provider     (HavenNotice  *self);

const char         *haven_notice_get_source_type          (HavenNotice  *self);
const char         *haven_notice_get_haven_category       (HavenNotice  *self);
const char         *haven_notice_get_statement_category   (HavenNotice  *self);
const guint        *haven_notice_get_convention_articles  (HavenNotice  *self,
                                                           gsize        *n_articles);
/* The keywords the crosswalk offers for the category, and whether each
 * is carried: the first is, at the start. */
const char * const *haven_notice_get_offered_keywords     (HavenNotice  *self);
gboolean            haven_notice_get_keyword_chosen       (HavenNotice  *self,
                                                           const char   *keyword);
void                haven_notice_set_keyword_chosen       (HavenNotice  *self,
                                                           const char   *keyword,
                                                           gboolean      chosen);

/* The addresses, each with its position in the request's items. */
guint               haven_notice_get_n_items              (HavenNotice  *self);
guint               haven_notice_get_item_index           (HavenNotice  *self,
                                                           guint         position);
const char         *haven_notice_get_item_url             (HavenNotice  *self,
                                                           guint         position);
const char         *haven_notice_get_item_what_it_shows   (HavenNotice  *self,
                                                           guint         position);
const char         *haven_notice_get_item_content_type    (HavenNotice  *self,
                                                           guint         position);

/* Art. 16(2)(a): the caseworker's words, prefilled from the category. */
const char         *haven_notice_get_explanation          (HavenNotice  *self);
void                haven_notice_set_explanation          (HavenNotice  *self,
                                                           const char   *explanation);
/* The explanation as the notice carries it: the caseworker's words, then
 * the offence in the Transparency Database's terms and the Convention's.
 * The caller wipes it. */
char               *haven_notice_dup_explanation_text     (HavenNotice  *self);

/* Art. 16(2)(c). @name and @email are used for PERSON only; ORGANISATION
 * takes the settings', LEFT_OUT none. */
void                haven_notice_set_notifier             (HavenNotice         *self,
                                                           HavenNoticeNotifier  notifier,
                                                           const char          *name,
                                                           const char          *email);
HavenNoticeNotifier haven_notice_get_notifier             (HavenNotice  *self);
/* NULL when left out. */
const char         *haven_notice_get_notifier_name        (HavenNotice  *self);
const char         *haven_notice_get_notifier_email       (HavenNotice  *self);

/* Art. 16(2)(d). */
const char         *haven_notice_get_good_faith_statement (HavenNotice  *self);
gboolean            haven_notice_get_confirmed            (HavenNotice  *self);
void                haven_notice_set_confirmed            (HavenNotice  *self,
                                                           gboolean      confirmed);

/* Whether every export may be made: the four elements present and the
 * rules of the package's contract kept. */
gboolean            haven_notice_check                    (HavenNotice  *self,
                                                           GError      **error);

/* The exports. Each fails as haven_notice_check() does. What they return
 * holds the visitor's words: the caller wipes it. */
char               *haven_notice_dup_package_json         (HavenNotice  *self,
                                                           GError      **error);
/* (element-type HavenCaseSection): the notice as a letter's or a web
 * form's parts, headed, in the notice's language. */
GPtrArray          *haven_notice_build_sections           (HavenNotice  *self,
                                                           GError      **error);
char               *haven_notice_dup_text                 (HavenNotice  *self,
                                                           GError      **error);
char               *haven_notice_dup_subject              (HavenNotice  *self);
/* An RFC 5322 message, UTF-8 and quoted-printable, marked as a draft for
 * the caseworker's mail program to open (.eml). */
GBytes             *haven_notice_dup_email                (HavenNotice  *self,
                                                           GError      **error);
/* mailto: the channel's address (or none), with the subject and text. */
char               *haven_notice_dup_mailto_uri           (HavenNotice  *self,
                                                           GError      **error);

/* Zeroes what came from the visitor's request and the caseworker. */
void                haven_notice_wipe                     (HavenNotice  *self);

G_END_DECLS
