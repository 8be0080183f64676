/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The table of hosting platforms and hotlines a notice goes to
 * (data/notices/platforms.ini, described in data/notices/README.md). */

#define HAVEN_NOTICE_PLATFORMS_ERROR (haven_notice_platforms_error_quark ())

typedef enum {
  HAVEN_NOTICE_PLATFORMS_ERROR_PARSE,
  HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_GROUP,
  HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_KEY,
  HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY,
  HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST,
  HAVEN_NOTICE_PLATFORMS_ERROR_DUPLICATE_HOST,
  HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL,
  HAVEN_NOTICE_PLATFORMS_ERROR_BAD_COUNTRY,
} HavenNoticePlatformsError;

GQuark haven_notice_platforms_error_quark (void);

#define HAVEN_TYPE_NOTICE_PLATFORMS (haven_notice_platforms_get_type ())

G_DECLARE_FINAL_TYPE (HavenNoticePlatforms, haven_notice_platforms,
                      HAVEN, NOTICE_PLATFORMS, GObject)

HavenNoticePlatforms *haven_notice_platforms_new_from_data     (const char            *data,
                                                                gssize                 length,
                                                                GError               **error);
HavenNoticePlatforms *haven_notice_platforms_new_from_file     (const char            *path,
                                                                GError               **error);
/* The table Haven ships, or the one in HAVEN_DATADIR (haven-paths.h). */
HavenNoticePlatforms *haven_notice_platforms_load_default      (GError               **error);

/* Ids in the file's order. */
const char * const   *haven_notice_platforms_get_platform_ids  (HavenNoticePlatforms  *self);
const char * const   *haven_notice_platforms_get_hotline_ids   (HavenNoticePlatforms  *self);

/* The platform serving an address or a host name, or NULL. An address
 * without a scheme ("m.facebook.com/x") is read as https. */
const char           *haven_notice_platforms_lookup_url        (HavenNoticePlatforms  *self,
                                                                const char            *url);
const char           *haven_notice_platforms_lookup_host       (HavenNoticePlatforms  *self,
                                                                const char            *host);
/* The hotline for a country (ISO 3166-1 alpha-2, any case): the one that
 * names it, else the first that serves every country ("*"), else NULL. */
const char           *haven_notice_platforms_find_hotline      (HavenNoticePlatforms  *self,
                                                                const char            *country);

/* For a platform id or a hotline id; NULL for a channel left out, or for
 * an id the table does not have. */
const char           *haven_notice_platforms_get_name          (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char           *haven_notice_platforms_get_entity        (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char           *haven_notice_platforms_get_web_form      (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char           *haven_notice_platforms_get_email         (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char           *haven_notice_platforms_get_guidance      (HavenNoticePlatforms  *self,
                                                                const char            *id);
gboolean              haven_notice_platforms_is_hotline        (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char * const   *haven_notice_platforms_get_hosts         (HavenNoticePlatforms  *self,
                                                                const char            *id);
const char * const   *haven_notice_platforms_get_countries     (HavenNoticePlatforms  *self,
                                                                const char            *id);

G_END_DECLS
