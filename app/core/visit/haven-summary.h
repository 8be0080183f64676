/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-content.h"
#include "haven-emergency-region.h"
#include "haven-request.h"
#include "haven-session.h"

G_BEGIN_DECLS

/* The ids of the sections a page shows in its own way. */
#define HAVEN_SUMMARY_NEXT "next"
#define HAVEN_SUMMARY_HELP "help"

/* One part of what the visitor takes away, in the current language; @id
 * says which ("next", "help", "what-happened", "removal"…). */
typedef struct {
  const char *id;
  char *heading;
  char *text;
} HavenSummarySection;

void          haven_summary_section_free  (HavenSummarySection *section);

GPtrArray    *haven_summary_build         (HavenSession        *session,
                                           HavenContent        *content,
                                           const char          *region);
const char   *haven_summary_get_support_kind (HavenSession      *session,
                                           HavenEmergencyRegion *region);
char         *haven_summary_to_text       (GPtrArray           *sections,
                                           gsize                max_bytes);
HavenRequest *haven_summary_build_report  (HavenSession        *session,
                                           HavenContent        *content);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenSummarySection, haven_summary_section_free)

G_END_DECLS
