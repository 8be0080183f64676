/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haven-schedule.h"

G_BEGIN_DECLS

/* What the importer (haven-directory-writer.c) works out once for the
 * searches, and the opening of a directory (haven-directory.c) reads in
 * one go: reading it row by row from the tables, and parsing every
 * service's schedule, took most of a second for 100,000 services and
 * twenty MB for each process that opened the directory.
 *
 * Each is a blob of the table search_data, an array in little-endian
 * byte order, indexed by a service's place in search_order (place 0 is
 * unused and zero) unless it says otherwise. */

/* Facets[]: what a search tests about each service, kept small: a search
 * may test tens of thousands. */
#define SEARCH_DATA_FACETS "facets"
/* guint32[]: the service's services.id (the import order). */
#define SEARCH_DATA_SERVICE_IDS "service_ids"
/* guint16[]: the region_codes.id of each service's areas, each service's
 * together (Facets.regions, n_regions), in the order of its record. */
#define SEARCH_DATA_REGION_IDS "region_ids"
/* guint16[]: likewise, the language_codes.id of the languages spoken. */
#define SEARCH_DATA_LANGUAGE_IDS "language_ids"
/* guint32[]: indexed by region_codes.id from 0 to the last and one past:
 * where that region's list begins in region_services. */
#define SEARCH_DATA_REGION_STARTS "region_starts"
/* guint32[]: the places of the services that name each region, in
 * order: a visitor browsing without text needs only the services of the
 * kiosk's region. */
#define SEARCH_DATA_REGION_SERVICES "region_services"
/* guint32[]: indexed by Facets.term_set from 0 to the last and one past:
 * where that set's terms begin in term_set_terms. */
#define SEARCH_DATA_TERM_SET_STARTS "term_set_starts"
/* guint32[]: terms.id of each distinct set of terms services have: the
 * categories they map to come from categories.ini when the directory is
 * opened, so that a deployment that edits it needs no new import. */
#define SEARCH_DATA_TERM_SET_TERMS "term_set_terms"

/* guint32[]: indexed by schedule number from 0 to the last and one past:
 * where that schedule's rows begin in schedule_rows (0 is none). */
#define SEARCH_DATA_SCHEDULE_STARTS "schedule_starts"
/* HavenScheduleStoredRow[]: the rows of each different schedule, their
 * rules numbered as in the table schedule_rules. A search makes a
 * schedule from them when it first needs it: from text, that cost as much
 * as the rest of a search for services open now. */
#define SEARCH_DATA_SCHEDULE_ROWS "schedule_rows"

G_STATIC_ASSERT (sizeof (HavenScheduleStoredRow) == 24);

typedef struct {
  /* The schedule's number (schedule_starts), or 0 for none: each
   * different schedule is stored once. */
  guint32 schedule;
  guint32 regions;
  guint32 languages;
  guint32 term_set;
  /* Stored as 0: worked out from term_set when the directory is opened. */
  guint16 categories_specific;
  guint16 categories_general;
  guint8 n_regions;
  guint8 n_languages;
  guint8 flags;
  guint8 unused;
} Facets;

G_STATIC_ASSERT (sizeof (Facets) == 24);

/* Between the stored byte order and the machine's, either way: nothing to
 * do on a little-endian machine. */
static inline void
haven_layout_swap_32 (guint32 *values,
                      gsize    n)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    values[i] = GUINT32_SWAP_LE_BE (values[i]);
#endif
}

static inline void
haven_layout_swap_16 (guint16 *values,
                      gsize    n)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    values[i] = GUINT16_SWAP_LE_BE (values[i]);
#endif
}

static inline void
haven_layout_swap_facets (Facets *facets,
                          gsize   n)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    {
      haven_layout_swap_32 (&facets[i].schedule, 4);
      haven_layout_swap_16 (&facets[i].categories_specific, 2);
    }
#endif
}

G_END_DECLS
