/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-content.h"
#include "haven-error-summary.h"
#include "haven-session.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_PAGE (haven_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (HavenPage, haven_page, HAVEN, PAGE, AdwBin)

struct _HavenPageClass
{
  AdwBinClass parent_class;

  /* The control a visitor most likely wants when the page opens; NULL
   * for the page's first control. */
  GtkWidget *(*get_initial_focus) (HavenPage *self);

  /* Whether a visit with this session goes through the page (the removal
   * pages only for content that can be taken down, for instance); NULL
   * for every visit. */
  gboolean   (*is_needed)         (HavenSession *session,
                                   HavenContent *content);

  /* What the page is about, in a few words, untranslated (N_()): the
   * page before it says "Next: " and this. */
  const char *step_title;

  /* The page's title as its .ui says it, untranslated (N_()), for the
   * helper's language; NULL for a page that sets its title itself. */
  const char *heading;
};

HavenSession *haven_page_get_session (HavenPage *self);
HavenContent *haven_page_get_content (HavenPage *self);
const char   *haven_page_get_next_step (HavenPage *self);
const char   *haven_page_get_region   (HavenPage *self);
const char   *haven_page_get_helper_language (HavenPage *self);
GtkWidget    *haven_page_make_helper_label   (HavenPage  *self,
                                              const char *msgid);
HavenEmergencyRegion *haven_page_get_emergency_region (HavenPage *self);
const char   *haven_page_type_get_step_title (GType page_type);
void          haven_page_focus       (HavenPage *self);
void          haven_page_set_step    (HavenPage *self,
                                      guint      position,
                                      guint      n_steps);
gboolean      haven_page_category_is_removable (HavenSession *session,
                                                HavenContent *content);
gboolean      haven_page_removal_is_requested (HavenSession *session,
                                               HavenContent *content);
const char   *haven_page_get_role_label (const char *role);
HavenErrorSummary *haven_page_get_error_summary (HavenPage *self);
void          haven_page_show_field_error (GtkLabel     *label,
                                           GtkWidget    *field,
                                           const char   *message);
void          haven_page_set_label_text (GtkLabel   *label,
                                         const char *text);
GtkWidget    *haven_page_make_label (const char   *text,
                                     const char   *css_class,
                                     int           heading_level);
gboolean      haven_page_type_is_needed (GType         page_type,
                                         HavenSession *session,
                                         HavenContent *content);

G_END_DECLS
