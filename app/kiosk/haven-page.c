/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-error-summary.h"
#include "haven-locale.h"
#include "haven-page.h"

/* The base of every page of a visit: a page is made for one session, reads
 * what it shows from it and writes what the visitor enters into it. */
typedef struct
{
  HavenSession *session;
  /* The content definitions: categories, questions, guidance, numbers. */
  HavenContent *content;
  /* What comes after this page, translated, for "Next: …"; NULL on the
   * last page. */
  char *next_step;
  /* The kiosk's region (ISO 3166-1 alpha-2), for its emergency numbers and
   * currency; "" when not configured. */
  char *region;
  /* The helper's language at a walk-in desk, when it is not the
   * visitor's; NULL otherwise. */
  char *helper_language;
  /* The page's actions (Back, its main button), set in its template: kept
   * in sight beneath the page's scrolled content. */
  GtkWidget *footer;
  /* What stops the visitor going on, under the title; made when a page
   * first checks what was entered. Owned by the page's widget tree. */
  HavenErrorSummary *error_summary;
} HavenPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HavenPage, haven_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CONTENT,
  PROP_NEXT_STEP,
  PROP_REGION,
  PROP_HELPER_LANGUAGE,
  PROP_FOOTER,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void
haven_page_dispose (GObject *object)
{
  HavenPage *self = HAVEN_PAGE (object);
  HavenPagePrivate *priv = haven_page_get_instance_private (self);

  g_clear_object (&priv->session);
  g_clear_object (&priv->content);
  g_clear_object (&priv->footer);

  G_OBJECT_CLASS (haven_page_parent_class)->dispose (object);
}

static void
haven_page_finalize (GObject *object)
{
  HavenPagePrivate *priv = haven_page_get_instance_private (HAVEN_PAGE (object));

  g_free (priv->next_step);
  g_free (priv->region);
  g_free (priv->helper_language);

  G_OBJECT_CLASS (haven_page_parent_class)->finalize (object);
}

static gboolean
is_page_title (GtkWidget     *widget,
               gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "title-1");
}

static GtkWidget *
find_page_title (GtkWidget *root)
{
  if (is_page_title (root, NULL))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_page_title (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The page's title in the helper's language too, beneath it. */
static void
add_helper_heading (HavenPage *self)
{
  HavenPageClass *klass = HAVEN_PAGE_GET_CLASS (self);
  GtkWidget *title;
  GtkWidget *helper;

  if (klass->heading == NULL)
    return;

  title = find_page_title (GTK_WIDGET (self));
  helper = haven_page_make_helper_label (self, klass->heading);
  if (title == NULL || helper == NULL || !GTK_IS_BOX (gtk_widget_get_parent (title)))
    {
      if (helper != NULL)
        g_object_unref (g_object_ref_sink (helper));
      return;
    }

  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (title)), helper, title);
}

/* The page's content scrolls above a bar that holds its actions, so that
 * Back and the main button are in sight on any screen, however long the
 * page. The scrolled window's bottom edge shows a shadow while there is
 * more below (style.css). */
static void
add_action_bar (HavenPage *self)
{
  HavenPagePrivate *priv = haven_page_get_instance_private (self);
  g_autoptr(GtkWidget) content = NULL;
  GtkWidget *box;
  GtkWidget *bar;

  if (priv->footer == NULL)
    return;

  content = g_object_ref (adw_bin_get_child (ADW_BIN (self)));
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_widget_add_css_class (content, "haven-page-content");

  /* As wide as the pages' text, in the same place. */
  bar = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (bar), 760);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (bar), 560);
  adw_clamp_set_child (ADW_CLAMP (bar), priv->footer);
  gtk_widget_add_css_class (bar, "haven-action-bar");
  /* A page that hides its footer (the safety page, before "Yes") shows no
   * empty bar either. */
  g_object_bind_property (priv->footer, "visible", bar, "visible", G_BINDING_SYNC_CREATE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), content);
  gtk_box_append (GTK_BOX (box), bar);
  adw_bin_set_child (ADW_BIN (self), box);
}

static void
haven_page_constructed (GObject *object)
{
  G_OBJECT_CLASS (haven_page_parent_class)->constructed (object);

  add_helper_heading (HAVEN_PAGE (object));
  add_action_bar (HAVEN_PAGE (object));
}

static void
haven_page_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HavenPage *self = HAVEN_PAGE (object);
  HavenPagePrivate *priv = haven_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;

    case PROP_CONTENT:
      g_value_set_object (value, priv->content);
      break;

    case PROP_NEXT_STEP:
      g_value_set_string (value, priv->next_step);
      break;

    case PROP_REGION:
      g_value_set_string (value, priv->region);
      break;

    case PROP_HELPER_LANGUAGE:
      g_value_set_string (value, priv->helper_language);
      break;

    case PROP_FOOTER:
      g_value_set_object (value, priv->footer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_page_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HavenPage *self = HAVEN_PAGE (object);
  HavenPagePrivate *priv = haven_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;

    case PROP_CONTENT:
      priv->content = g_value_dup_object (value);
      break;

    case PROP_NEXT_STEP:
      priv->next_step = g_value_dup_string (value);
      break;

    case PROP_REGION:
      priv->region = g_value_dup_string (value);
      break;

    case PROP_HELPER_LANGUAGE:
      priv->helper_language = g_value_dup_string (value);
      break;

    case PROP_FOOTER:
      /* Set once, by the page's template, before the page is built. */
      g_return_if_fail (priv->footer == NULL);
      priv->footer = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_page_class_init (HavenPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = haven_page_constructed;
  object_class->dispose = haven_page_dispose;
  object_class->finalize = haven_page_finalize;
  object_class->get_property = haven_page_get_property;
  object_class->set_property = haven_page_set_property;

  props[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         HAVEN_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_CONTENT] =
    g_param_spec_object ("content", NULL, NULL,
                         HAVEN_TYPE_CONTENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_NEXT_STEP] =
    g_param_spec_string ("next-step", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_REGION] =
    g_param_spec_string ("region", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_HELPER_LANGUAGE] =
    g_param_spec_string ("helper-language", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_FOOTER] =
    g_param_spec_object ("footer", NULL, NULL,
                         GTK_TYPE_WIDGET,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_page_init (HavenPage *self)
{
}

HavenSession *
haven_page_get_session (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);

  return priv->session;
}

HavenContent *
haven_page_get_content (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);

  return priv->content;
}

/**
 * haven_page_get_next_step:
 *
 * Returns: (nullable): the translated title of the page after this one
 */
const char *
haven_page_get_next_step (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);

  return priv->next_step;
}

/**
 * haven_page_get_region:
 *
 * Returns: the kiosk's region code, or "" when none is configured
 */
const char *
haven_page_get_region (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);

  return priv->region != NULL ? priv->region : "";
}

/**
 * haven_page_get_emergency_region:
 *
 * Returns: (transfer none): the emergency numbers for the kiosk's region, or
 *   the region-neutral ones when the region has none
 */
HavenEmergencyRegion *
haven_page_get_emergency_region (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);
  if (priv->content == NULL)
    return NULL;

  return haven_content_lookup_region (priv->content, priv->region);
}

/**
 * haven_page_type_get_step_title:
 * @page_type: a HavenPage subclass
 *
 * Returns: (nullable): the page's title in the current language
 */
const char *
haven_page_type_get_step_title (GType page_type)
{
  g_autoptr(GTypeClass) type_class = NULL;
  HavenPageClass *klass;

  g_return_val_if_fail (g_type_is_a (page_type, HAVEN_TYPE_PAGE), NULL);

  type_class = g_type_class_ref (page_type);
  klass = HAVEN_PAGE_CLASS (type_class);

  return klass->step_title != NULL ? g_dgettext (GETTEXT_PACKAGE, klass->step_title) : NULL;
}

/**
 * haven_page_set_step:
 * @position: the page's place in the visit, from 1; 0 for the welcome page
 * @n_steps: how many pages the visit has as things stand
 *
 * Gives the page's title, for assistive technologies, where the visitor is
 * in the visit: "Step 3 of 12: What happened". The title on screen stays
 * as it is.
 */
void
haven_page_set_step (HavenPage *self,
                     guint      position,
                     guint      n_steps)
{
  GtkWidget *title;
  g_autofree char *text = NULL;

  g_return_if_fail (HAVEN_IS_PAGE (self));

  title = find_page_title (GTK_WIDGET (self));
  if (title == NULL || position == 0)
    return;

  /* Translators: the accessible name of a page's title, read by screen
   * readers when the page opens: "Step 3 of 12: What happened?". */
  text = g_strdup_printf (_("Step %u of %u: %s"), position, n_steps, gtk_label_get_text (GTK_LABEL (title)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (title),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

/**
 * haven_page_focus:
 *
 * Puts the keyboard focus on the page's title, so that a screen reader
 * says which page opened and where it is in the visit (see
 * haven_page_set_step()), and Tab goes on to its first control. A page
 * without a title starts on its initial control.
 */
void
haven_page_focus (HavenPage *self)
{
  HavenPagePrivate *priv;
  HavenPageClass *klass;
  GtkWidget *initial = NULL;
  GtkWidget *title;

  g_return_if_fail (HAVEN_IS_PAGE (self));

  /* A page built with problems to correct (a request the organisation
   * refused) opens on the first of them. */
  priv = haven_page_get_instance_private (self);
  if (priv->error_summary != NULL && haven_error_summary_focus_problem (priv->error_summary))
    return;

  title = find_page_title (GTK_WIDGET (self));
  if (title != NULL)
    {
      /* A GtkLabel takes the focus only when selectable; selecting it as
       * it takes the focus is turned off (gtk-label-select-on-focus). */
      g_object_set (gtk_widget_get_settings (title), "gtk-label-select-on-focus", FALSE, NULL);
      gtk_label_set_selectable (GTK_LABEL (title), TRUE);
      gtk_widget_set_focusable (title, TRUE);
      if (gtk_widget_grab_focus (title))
        return;
    }

  klass = HAVEN_PAGE_GET_CLASS (self);
  if (klass->get_initial_focus != NULL)
    initial = klass->get_initial_focus (self);

  if (initial == NULL || !gtk_widget_grab_focus (initial))
    gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

/**
 * haven_page_type_is_needed:
 * @page_type: a HavenPage subclass
 *
 * Returns: whether a visit in @session shows a page of @page_type
 */
gboolean
haven_page_type_is_needed (GType         page_type,
                           HavenSession *session,
                           HavenContent *content)
{
  g_autoptr(GTypeClass) type_class = NULL;
  HavenPageClass *klass;

  g_return_val_if_fail (g_type_is_a (page_type, HAVEN_TYPE_PAGE), FALSE);
  g_return_val_if_fail (HAVEN_IS_SESSION (session), FALSE);

  type_class = g_type_class_ref (page_type);
  klass = HAVEN_PAGE_CLASS (type_class);

  return klass->is_needed == NULL || klass->is_needed (session, content);
}

/**
 * haven_page_category_is_removable:
 *
 * Returns: whether the session's category is one whose content can be
 *   taken down, so the removal pages are part of the visit
 */
gboolean
haven_page_category_is_removable (HavenSession *session,
                                  HavenContent *content)
{
  HavenCategory *category;

  g_return_val_if_fail (HAVEN_IS_SESSION (session), FALSE);

  if (content == NULL || haven_session_get_category (session) == NULL)
    return FALSE;

  category = haven_content_lookup_category (content, haven_session_get_category (session));
  return category != NULL && haven_category_is_removable (category);
}

/**
 * haven_page_get_error_summary:
 *
 * The page's error summary, under its title (and the title's line in the
 * helper's language): one place on every page that checks what the
 * visitor entered to say what stops them going on. A page clears it, adds
 * each problem as it shows it beside its field
 * (haven_page_show_field_error()), and presents it.
 *
 * Returns: (transfer none): the summary
 */
HavenErrorSummary *
haven_page_get_error_summary (HavenPage *self)
{
  HavenPagePrivate *priv;
  GtkWidget *title;
  GtkWidget *after;
  GtkWidget *summary;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);
  if (priv->error_summary != NULL)
    return priv->error_summary;

  title = find_page_title (GTK_WIDGET (self));
  g_return_val_if_fail (title != NULL && GTK_IS_BOX (gtk_widget_get_parent (title)), NULL);

  after = title;
  if (gtk_widget_get_next_sibling (title) != NULL &&
      gtk_widget_has_css_class (gtk_widget_get_next_sibling (title), "helper-text"))
    after = gtk_widget_get_next_sibling (title);

  summary = haven_error_summary_new ();
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (title)), summary, after);
  priv->error_summary = HAVEN_ERROR_SUMMARY (summary);

  return priv->error_summary;
}

/**
 * haven_page_removal_is_requested:
 *
 * Returns: whether the visitor is asking for content to be taken down:
 *   the category's content can be, and they gave an address. The pages
 *   that finish and send the request are part of the visit only then.
 */
gboolean
haven_page_removal_is_requested (HavenSession *session,
                                 HavenContent *content)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (session), FALSE);

  return haven_page_category_is_removable (session, content) &&
         haven_request_get_n_items (haven_session_get_removal_request (session)) > 0;
}

/**
 * haven_page_get_role_label:
 * @role: (nullable): a reporter role of haven-api-v1.md ("self")
 *
 * Returns: (nullable): who a removal request is for, as the visitor
 *   chose it, translated; %NULL for no role
 */
const char *
haven_page_get_role_label (const char *role)
{
  if (g_strcmp0 (role, "self") == 0)
    /* Translators: the answer to "Who is this request for?". */
    return C_("request for", "Me");
  if (g_strcmp0 (role, "parent-or-guardian") == 0)
    return _("My child, or a child I am the guardian of");
  if (g_strcmp0 (role, "authorised-representative") == 0)
    return _("Someone else, who asked me to help them");

  return NULL;
}

/**
 * haven_page_show_field_error:
 * @message: (nullable): what to do about @field, or %NULL for no error
 *
 * Says what to do beside a field, in words (the colour only repeats it),
 * and marks the field invalid for assistive technologies.
 */
void
haven_page_show_field_error (GtkLabel   *label,
                             GtkWidget  *field,
                             const char *message)
{
  g_return_if_fail (GTK_IS_LABEL (label));
  g_return_if_fail (GTK_IS_WIDGET (field));

  haven_page_set_label_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);

  if (message != NULL)
    gtk_widget_add_css_class (field, "error");
  else
    gtk_widget_remove_css_class (field, "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (field),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

/**
 * haven_page_set_label_text:
 *
 * Shows @text, translated text that may hold a Latin name, a web address
 * or a number, in @label. In a right-to-left language each of those is
 * isolated left to right: "https://" and "Samaritans:" keep their order,
 * and the line keeps the direction of its language rather than that of a
 * name at its start.
 */
void
haven_page_set_label_text (GtkLabel   *label,
                           const char *text)
{
  g_autofree char *isolated = NULL;

  g_return_if_fail (GTK_IS_LABEL (label));
  g_return_if_fail (text != NULL);

  if (gtk_widget_get_direction (GTK_WIDGET (label)) == GTK_TEXT_DIR_RTL)
    isolated = haven_bidi_isolate_runs (text);
  gtk_label_set_label (label, isolated != NULL ? isolated : text);
}

/**
 * haven_page_make_label:
 * @css_class: (nullable): a style class, such as "heading"
 * @heading_level: 0 for text; 2 or more for a heading under the page's
 *   title, which screen readers list and jump between
 *
 * Returns: (transfer floating): a label for text made while the page is
 *   built, wrapping as the page's own text does
 */
GtkWidget *
haven_page_make_label (const char *text,
                       const char *css_class,
                       int         heading_level)
{
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "wrap", TRUE,
                                   "wrap-mode", PANGO_WRAP_WORD_CHAR,
                                   "xalign", 0.0f,
                                   "accessible-role", heading_level > 0 ? GTK_ACCESSIBLE_ROLE_HEADING
                                                                        : GTK_ACCESSIBLE_ROLE_LABEL,
                                   NULL);

  haven_page_set_label_text (GTK_LABEL (label), text);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  if (heading_level > 0)
    gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                    GTK_ACCESSIBLE_PROPERTY_LEVEL, heading_level,
                                    -1);

  return label;
}

/**
 * haven_page_get_helper_language:
 *
 * Returns: (nullable): the helper's language at a walk-in desk, when it is
 *   not the visitor's
 */
const char *
haven_page_get_helper_language (HavenPage *self)
{
  HavenPagePrivate *priv;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  priv = haven_page_get_instance_private (self);

  return priv->helper_language;
}

/**
 * haven_page_make_helper_label:
 * @msgid: a string of Haven's catalog, untranslated
 *
 * Makes the line that repeats @msgid in the helper's language, smaller,
 * for a helper who does not share the visitor's language. Screen readers
 * skip it: the visitor hears their own language only.
 *
 * Returns: (transfer floating) (nullable): the label, or %NULL when there
 *   is no helper's language
 */
GtkWidget *
haven_page_make_helper_label (HavenPage  *self,
                              const char *msgid)
{
  const char *language;
  g_autofree char *text = NULL;
  GtkWidget *label;

  g_return_val_if_fail (HAVEN_IS_PAGE (self), NULL);

  language = haven_page_get_helper_language (self);
  if (language == NULL || msgid == NULL)
    return NULL;

  text = haven_locale_translate_in (language, msgid);
  label = haven_page_make_label (text, "helper-text", 0);
  gtk_widget_set_direction (label, haven_locale_get_direction (language) == HAVEN_TEXT_DIRECTION_RTL
                                   ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);
  gtk_accessible_update_state (GTK_ACCESSIBLE (label),
                               GTK_ACCESSIBLE_STATE_HIDDEN, TRUE,
                               -1);

  return label;
}
