/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-category-page.h"
#include "haven-child-page.h"
#include "haven-guidance-page.h"
#include "haven-intro-page.h"
#include "haven-question-page.h"
#include "haven-referrals-page.h"
#include "haven-removal-contact-page.h"
#include "haven-removal-items-page.h"
#include "haven-removal-role-page.h"
#include "haven-removal-send-page.h"
#include "haven-review-page.h"
#include "haven-safety-page.h"
#include "haven-story-page.h"
#include "haven-summary-page.h"
#include "haven-welcome-page.h"
#include "haven-window.h"

G_BEGIN_DECLS

/* Drives a HavenWindow the way a visitor would, through its real widgets,
 * for the UI tests. */

typedef struct {
  GSettings *settings;
  HavenSender *sender;
  HavenWindow *window;
} Fixture;

void       visit_driver_init  (int           *argc,
                               char        ***argv);
void       fixture_set_up     (Fixture       *fixture,
                               gconstpointer  user_data);
void       fixture_tear_down  (Fixture       *fixture,
                               gconstpointer  user_data);
void       iterate            (void);
void       wait_ms            (guint          ms);
void       wait_for_frame     (HavenWindow   *window);
gboolean   iterate_until      (gboolean     (*done) (HavenWindow *window),
                               HavenWindow   *window,
                               double         seconds);
GtkWidget *find_widget        (GtkWidget     *root,
                               gboolean     (*matches) (GtkWidget *widget, gconstpointer data),
                               gconstpointer  data);
gboolean   has_action         (GtkWidget     *widget,
                               gconstpointer  action_name);
gboolean   has_name           (GtkWidget     *widget,
                               gconstpointer  name);
gboolean   label_contains     (GtkWidget     *widget,
                               gconstpointer  text);
gboolean   is_of_type         (GtkWidget     *widget,
                               gconstpointer  type);
gboolean   is_drawable_label_with (GtkWidget *widget,
                               gconstpointer  text);
gboolean   has_css_class      (GtkWidget     *widget,
                               gconstpointer  css_class);
gboolean   takes_files        (GtkWidget     *widget,
                               gconstpointer  data);
GtkWidget *find_action_button (HavenWindow   *window,
                               const char    *action_name);
void       click              (HavenWindow   *window,
                               const char    *action_name);
GtkWidget *tab_to_next_control (HavenWindow  *window);
void       press_named        (HavenWindow   *window,
                               const char    *name);
void       start_visit        (HavenWindow   *window,
                               const char    *language);
void       choose_category    (HavenWindow   *window,
                               const char    *category);
void       answer_not_in_danger (HavenWindow *window);
void       advance            (HavenWindow   *window);
void       advance_to         (HavenWindow   *window,
                               GType          page_type);
void       go_to_story        (HavenWindow   *window);

typedef void (*VisitPageFunc) (HavenWindow *window,
                               gpointer     user_data);

void       walk_whole_visit   (HavenWindow   *window,
                               const char    *category,
                               VisitPageFunc  on_page,
                               gpointer       user_data);
void       walk_whole_visit_in (HavenWindow  *window,
                                const char   *category,
                                const char   *language,
                                VisitPageFunc on_page,
                                gpointer      user_data);
void       type_story         (HavenWindow   *window,
                               const char    *text);
void       assert_text_nowhere (GtkWidget    *widget,
                                const char   *text);

G_END_DECLS
