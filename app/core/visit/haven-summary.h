/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-content.h"
#include "haven-request.h"
#include "haven-session.h"

G_BEGIN_DECLS

/* One part of what the visitor takes away, in the current language. */
typedef struct {
  char *heading;
  char *text;
} HavenSummarySection;

void          haven_summary_section_free  (HavenSummarySection *section);

GPtrArray    *haven_summary_build         (HavenSession        *session,
                                           HavenContent        *content);
char         *haven_summary_to_text       (GPtrArray           *sections,
                                           gsize                max_bytes);
HavenRequest *haven_summary_build_report  (HavenSession        *session,
                                           HavenContent        *content);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenSummarySection, haven_summary_section_free)

G_END_DECLS
