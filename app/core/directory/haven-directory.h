/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-request.h"
#include "haven-service.h"

G_BEGIN_DECLS

#define HAVEN_DIRECTORY_ERROR (haven_directory_error_quark ())

typedef enum {
  HAVEN_DIRECTORY_ERROR_NOT_FOUND,
  HAVEN_DIRECTORY_ERROR_OLD_SCHEMA,
  HAVEN_DIRECTORY_ERROR_CORRUPT,
  HAVEN_DIRECTORY_ERROR_INVALID_INPUT,
  HAVEN_DIRECTORY_ERROR_INVALID_QUERY,
  HAVEN_DIRECTORY_ERROR_IO,
  HAVEN_DIRECTORY_ERROR_DATABASE,
} HavenDirectoryError;

/* The version of the database layout the importer writes; a directory of
 * any other version must be imported again. */
#define HAVEN_DIRECTORY_SCHEMA_VERSION 5

/* The Haven categories a directory's taxonomy terms map to: the API's
 * (haven_request_get_category_ids()), each a bit of a service's set. */
#define HAVEN_DIRECTORY_N_CATEGORIES HAVEN_REQUEST_N_CATEGORIES

/* What a visitor or an operator asks the directory. Every field is
 * optional; strings are copied by haven_directory_query_copy(). */
typedef struct {
  char *text;
  /* A Haven category id, such as "fraud". */
  char *category;
  /* ISO 3166: "GB" or "GB-LND". */
  char *region;
  /* ISO 639: only services that speak it. */
  char *language;
  /* The visitor's language: text is shown in it where the directory has a
   * translation, and services that speak it rank higher. */
  char *display_language;
  gboolean open_now;
  /* The moment "open now" and today's hours are for; NULL means now. */
  GDateTime *at;
  gboolean free;
  gboolean always_open;
  /* At most this many services; 0 means 20. */
  guint limit;
} HavenDirectoryQuery;

#define HAVEN_TYPE_DIRECTORY_QUERY (haven_directory_query_get_type ())

GType                haven_directory_query_get_type (void) G_GNUC_CONST;
HavenDirectoryQuery *haven_directory_query_new      (void);
HavenDirectoryQuery *haven_directory_query_copy     (const HavenDirectoryQuery *query);
void                 haven_directory_query_free     (HavenDirectoryQuery       *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenDirectoryQuery, haven_directory_query_free)

typedef struct {
  guint schema_version;
  guint n_services;
  guint n_organizations;
  guint n_languages;
  guint n_regions;
  guint n_terms;
  guint n_mapped_terms;
  guint n_with_hours;
  char *imported_at;
  char *source;
  char *format;
  char *categories_file;
} HavenDirectoryStats;

void haven_directory_stats_free (HavenDirectoryStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenDirectoryStats, haven_directory_stats_free)

#define HAVEN_TYPE_DIRECTORY (haven_directory_get_type ())

G_DECLARE_FINAL_TYPE (HavenDirectory, haven_directory, HAVEN, DIRECTORY, GObject)

GQuark               haven_directory_error_quark        (void);
char                *haven_directory_get_default_path   (GSettings            *settings);
char                *haven_directory_normalise_language (const char           *code);
HavenDirectory      *haven_directory_open               (const char           *path,
                                                         const char           *categories_path,
                                                         GError              **error);
HavenDirectory      *haven_directory_open_configured    (GSettings            *settings,
                                                         const char           *path,
                                                         const char           *time_zone,
                                                         GError              **error);
void                 haven_directory_set_time_zone      (HavenDirectory       *self,
                                                         GTimeZone            *zone);
GTimeZone           *haven_directory_get_time_zone      (HavenDirectory       *self);
const char          *haven_directory_get_path           (HavenDirectory       *self);
guint                haven_directory_get_n_services     (HavenDirectory       *self);
GListModel          *haven_directory_search             (HavenDirectory       *self,
                                                         const HavenDirectoryQuery *query,
                                                         guint                *n_matches,
                                                         GError              **error);
void                 haven_directory_search_async       (HavenDirectory       *self,
                                                         const HavenDirectoryQuery *query,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GListModel          *haven_directory_search_finish      (HavenDirectory       *self,
                                                         GAsyncResult         *result,
                                                         guint                *n_matches,
                                                         GError              **error);
HavenDirectoryStats *haven_directory_get_stats          (HavenDirectory       *self,
                                                         GError              **error);
/* The version of the directory the settings name, as a status report
 * gives it: when it was imported; NULL when it cannot be opened. */
char                *haven_directory_dup_configured_version (GSettings        *settings);
gboolean             haven_directory_judge_age (GSettings  *settings,
                                                const char *imported_at,
                                                GTimeSpan  *age,
                                                gboolean   *too_old);

G_END_DECLS
