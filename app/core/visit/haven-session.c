/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-session"

#include "config.h"

#include "haven-answer.h"
#include "haven-session.h"
#include "haven-wipe.h"

/* Everything one visitor entered. Pages read and write only this object, and
 * the window replaces it at the end of every visit. Every string it owns may
 * be something the visitor typed, so each is overwritten before it is freed. */
struct _HavenSession
{
  GObject parent_instance;

  char *language;
  /* What happened, as a category id of the content definitions. */
  char *category;
  /* The content says the category is about a child: the visit takes the
   * child path. */
  gboolean category_about_child;
  /* Question id -> the visitor's answer. */
  GHashTable *answers;
  /* The content-removal request being drafted, made when first needed. */
  HavenRequest *removal_request;
  /* Services the visitor chose to keep: id -> a line to show at the end,
   * in the order chosen. Which services a visitor looked for says
   * something about them, so these are wiped like answers. */
  GHashTable *kept_services;
  GPtrArray *kept_order;
  HavenSubmissionState submission_state;
  char *submission_reference;
  char *submission_message;
  GHashTable *submission_field_errors;
  /* The report to the organisation's queue, when the visitor sends one. */
  HavenSubmissionState report_state;
  char *report_reference;

  gboolean wiped;
};

G_DEFINE_ENUM_TYPE (HavenSubmissionState, haven_submission_state,
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_SENDING, "sending"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_SENT, "sent"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_QUEUED, "queued"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_INVALID, "invalid"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_REJECTED, "rejected"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_NOT_SAVED, "not-saved"),
  G_DEFINE_ENUM_VALUE (HAVEN_SUBMISSION_NOT_SEALED, "not-sealed"))

G_DEFINE_FINAL_TYPE (HavenSession, haven_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LANGUAGE,
  PROP_CATEGORY,
  PROP_SUBMISSION_STATE,
  PROP_REPORT_STATE,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

enum {
  WIPED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
clear_removal_request (HavenSession *self)
{
  if (self->removal_request != NULL)
    haven_request_wipe (self->removal_request);
  g_clear_object (&self->removal_request);
  self->submission_state = HAVEN_SUBMISSION_NONE;
  g_clear_pointer (&self->submission_reference, g_free);
  g_clear_pointer (&self->submission_message, g_free);
  g_clear_pointer (&self->submission_field_errors, g_hash_table_unref);
}

static void
destroy_contents (HavenSession *self)
{
  g_hash_table_remove_all (self->answers);
  g_hash_table_remove_all (self->kept_services);
  g_ptr_array_set_size (self->kept_order, 0);
  haven_wipe_clear_string (&self->language);
  haven_wipe_clear_string (&self->category);
  self->category_about_child = FALSE;
  clear_removal_request (self);
  self->report_state = HAVEN_SUBMISSION_NONE;
  g_clear_pointer (&self->report_reference, g_free);
}

static void
haven_session_finalize (GObject *object)
{
  HavenSession *self = HAVEN_SESSION (object);

  destroy_contents (self);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_clear_pointer (&self->kept_services, g_hash_table_unref);
  g_clear_pointer (&self->kept_order, g_ptr_array_unref);

  G_OBJECT_CLASS (haven_session_parent_class)->finalize (object);
}

static void
haven_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HavenSession *self = HAVEN_SESSION (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;

    case PROP_CATEGORY:
      g_value_set_string (value, self->category);
      break;

    case PROP_SUBMISSION_STATE:
      g_value_set_enum (value, self->submission_state);
      break;

    case PROP_REPORT_STATE:
      g_value_set_enum (value, self->report_state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HavenSession *self = HAVEN_SESSION (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      haven_session_set_language (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_session_class_init (HavenSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_session_finalize;
  object_class->get_property = haven_session_get_property;
  object_class->set_property = haven_session_set_property;

  props[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /* Read-only: changing it takes the content (haven_session_set_category()). */
  props[PROP_CATEGORY] =
    g_param_spec_string ("category", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /* Notified whenever anything of the removal request's submission
   * changes (its state, reference, message or field errors), so that a
   * page can show what became of it. */
  props[PROP_SUBMISSION_STATE] =
    g_param_spec_enum ("submission-state", NULL, NULL,
                       HAVEN_TYPE_SUBMISSION_STATE, HAVEN_SUBMISSION_NONE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /* Likewise for the report: its state or its reference. */
  props[PROP_REPORT_STATE] =
    g_param_spec_enum ("report-state", NULL, NULL,
                       HAVEN_TYPE_SUBMISSION_STATE, HAVEN_SUBMISSION_NONE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * HavenSession::wiped:
   *
   * Emitted once everything the visitor entered has been destroyed.
   */
  signals[WIPED] =
    g_signal_new ("wiped",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
haven_session_init (HavenSession *self)
{
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal,
                                         g_free, (GDestroyNotify) haven_wipe_string);
  self->kept_services = g_hash_table_new_full (g_str_hash, g_str_equal,
                                               (GDestroyNotify) haven_wipe_string,
                                               (GDestroyNotify) haven_wipe_string);
  self->kept_order = g_ptr_array_new ();
}

HavenSession *
haven_session_new (const char *language)
{
  return g_object_new (HAVEN_TYPE_SESSION,
                       "language", language,
                       NULL);
}

const char *
haven_session_get_language (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  return self->language;
}

void
haven_session_set_language (HavenSession *self,
                            const char   *language)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));

  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  self->wiped = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LANGUAGE]);
}

const char *
haven_session_get_category (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  return self->category;
}

/* Once handed over to be sent, the removal request is something the visit
 * did, with a reference the visitor needs, rather than a draft. */
static gboolean
is_removal_handed_over (HavenSession *self)
{
  switch (self->submission_state)
    {
    case HAVEN_SUBMISSION_SENDING:
    case HAVEN_SUBMISSION_SENT:
    case HAVEN_SUBMISSION_QUEUED:
    case HAVEN_SUBMISSION_REJECTED:
      return TRUE;

    case HAVEN_SUBMISSION_NONE:
    case HAVEN_SUBMISSION_INVALID:
    case HAVEN_SUBMISSION_NOT_SAVED:
    case HAVEN_SUBMISSION_NOT_SEALED:
    default:
      return FALSE;
    }
}

/* Forgets, and wipes, what the visitor gave on pages that a visit in the
 * session's category does not show: the answers to questions the category
 * does not ask (the money lost, the child's age, whether they were under
 * 18, ...) and a draft removal request when the category has nothing to
 * take down. Answers that are no question of the content, the story and
 * the safety answer, are asked in every visit and stay. */
static void
forget_other_paths (HavenSession *self,
                    HavenContent *content)
{
  HavenCategory *category = NULL;
  GHashTableIter iter;
  const char *question_id;

  if (self->category != NULL)
    category = haven_content_lookup_category (content, self->category);

  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &question_id, NULL))
    {
      HavenQuestion *question = haven_content_lookup_question (content, question_id);

      /* The table wipes the answer as it lets go of it. */
      if (question != NULL &&
          (category == NULL || !haven_question_applies_to (question, self->category)))
        g_hash_table_iter_remove (&iter);
    }

  if (self->removal_request != NULL && !is_removal_handed_over (self) &&
      (category == NULL || !haven_category_is_removable (category)))
    {
      clear_removal_request (self);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SUBMISSION_STATE]);
    }
}

/**
 * haven_session_set_category:
 * @content: the content definitions @category comes from
 * @category: (nullable): a category id of @content
 *
 * Changes what happened, and forgets what the visitor answered for the
 * previous category that the new one does not ask.
 */
void
haven_session_set_category (HavenSession *self,
                            HavenContent *content,
                            const char   *category)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));
  g_return_if_fail (HAVEN_IS_CONTENT (content));

  if (g_strcmp0 (self->category, category) == 0)
    return;

  haven_wipe_clear_string (&self->category);
  self->category = g_strdup (category);
  {
    HavenCategory *about = category != NULL ? haven_content_lookup_category (content, category)
                                            : NULL;

    self->category_about_child = about != NULL && haven_category_is_about_child (about);
  }
  /* Forgotten here, at the source, rather than hidden by whatever reads
   * the session: the review, the summary, its printed copy and QR code,
   * the report and the outbox then all hold the same visit, a reader
   * added later cannot show an answer from a path the visitor left, and
   * what they typed for it is wiped now rather than at the end of the
   * visit. A visitor who goes back to the first category answers its
   * questions again; that is the price of never showing stale answers. */
  forget_other_paths (self, content);
  self->wiped = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CATEGORY]);
}

const char *
haven_session_get_answer (HavenSession *self,
                          const char   *question_id)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);
  g_return_val_if_fail (question_id != NULL, NULL);

  return g_hash_table_lookup (self->answers, question_id);
}

/**
 * haven_session_set_answer:
 * @answer: (nullable): the answer; %NULL or "" forgets the question's answer
 */
void
haven_session_set_answer (HavenSession *self,
                          const char   *question_id,
                          const char   *answer)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));
  g_return_if_fail (question_id != NULL);

  if (answer == NULL || answer[0] == '\0')
    {
      g_hash_table_remove (self->answers, question_id);
      return;
    }

  if (g_strcmp0 (g_hash_table_lookup (self->answers, question_id), answer) == 0)
    return;

  g_hash_table_insert (self->answers, g_strdup (question_id), g_strdup (answer));
  self->wiped = FALSE;
}

/**
 * haven_session_get_child_involved:
 *
 * Whether a child is involved, as far as the visitor said: the sent
 * request's "child_involved" and its envelope's "child", so that a
 * caseworker who cannot open the body yet can put it first. Only what the
 * visitor chose, never what they typed.
 */
gboolean
haven_session_get_child_involved (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), FALSE);

  return self->category_about_child ||
         g_strcmp0 (g_hash_table_lookup (self->answers, HAVEN_QUESTION_UNDER_18),
                    HAVEN_ANSWER_YES) == 0;
}

/**
 * haven_session_get_removal_request:
 *
 * Returns: (transfer none): the visitor's draft request for content to be
 *   taken down, in the session's category
 */
HavenRequest *
haven_session_get_removal_request (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  if (self->removal_request == NULL)
    self->removal_request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  haven_request_set_category (self->removal_request, self->category);
  self->wiped = FALSE;

  return self->removal_request;
}

HavenSubmissionState
haven_session_get_submission_state (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), HAVEN_SUBMISSION_NONE);

  return self->submission_state;
}

const char *
haven_session_get_submission_reference (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  return self->submission_reference;
}

/**
 * haven_session_get_submission_field_errors:
 *
 * Returns: (transfer none) (nullable): field path -> message, for
 *   %HAVEN_SUBMISSION_INVALID
 */
GHashTable *
haven_session_get_submission_field_errors (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  return self->submission_field_errors;
}

/**
 * haven_session_set_submission:
 * @reference: (nullable): the case or kiosk reference
 * @message: (nullable): why it was not saved, for %HAVEN_SUBMISSION_NOT_SAVED
 *   and %HAVEN_SUBMISSION_NOT_SEALED
 * @field_errors: (nullable): for %HAVEN_SUBMISSION_INVALID
 */
void
haven_session_set_submission (HavenSession         *self,
                              HavenSubmissionState  state,
                              const char           *reference,
                              const char           *message,
                              GHashTable           *field_errors)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));

  if (self->submission_state == state &&
      g_strcmp0 (self->submission_reference, reference) == 0 &&
      g_strcmp0 (self->submission_message, message) == 0 &&
      self->submission_field_errors == field_errors)
    return;

  self->submission_state = state;
  g_free (self->submission_reference);
  self->submission_reference = g_strdup (reference);
  g_free (self->submission_message);
  self->submission_message = g_strdup (message);
  g_clear_pointer (&self->submission_field_errors, g_hash_table_unref);
  if (field_errors != NULL)
    self->submission_field_errors = g_hash_table_ref (field_errors);
  self->wiped = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SUBMISSION_STATE]);
}

/**
 * haven_session_keep_service:
 * @summary: (nullable): what to show of it at the end (name and how to
 *   reach it); %NULL forgets the service
 */
void
haven_session_keep_service (HavenSession *self,
                            const char   *service_id,
                            const char   *summary)
{
  char *key;

  g_return_if_fail (HAVEN_IS_SESSION (self));
  g_return_if_fail (service_id != NULL);

  if (g_hash_table_lookup_extended (self->kept_services, service_id, (gpointer *) &key, NULL))
    {
      g_ptr_array_remove (self->kept_order, key);
      g_hash_table_remove (self->kept_services, service_id);
    }

  if (summary == NULL)
    return;

  key = g_strdup (service_id);
  g_hash_table_insert (self->kept_services, key, g_strdup (summary));
  g_ptr_array_add (self->kept_order, key);
  self->wiped = FALSE;
}

gboolean
haven_session_is_service_kept (HavenSession *self,
                               const char   *service_id)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), FALSE);

  return service_id != NULL && g_hash_table_contains (self->kept_services, service_id);
}

/**
 * haven_session_dup_kept_services:
 *
 * Returns: (transfer full): the summaries of the kept services, in the
 *   order they were kept
 */
GStrv
haven_session_dup_kept_services (HavenSession *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  for (guint i = 0; i < self->kept_order->len; i++)
    g_strv_builder_add (builder, g_hash_table_lookup (self->kept_services,
                                                      g_ptr_array_index (self->kept_order, i)));

  return g_strv_builder_end (builder);
}

guint
haven_session_get_n_answers (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), 0);

  return g_hash_table_size (self->answers);
}

gboolean
haven_session_is_empty (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), TRUE);

  return g_hash_table_size (self->answers) == 0 && self->category == NULL &&
         self->removal_request == NULL && g_hash_table_size (self->kept_services) == 0;
}

gboolean
haven_session_is_wiped (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), FALSE);

  return self->wiped;
}

/**
 * haven_session_wipe:
 *
 * Overwrites and frees everything the visitor entered, including the chosen
 * language, and leaves the session empty.
 */
void
haven_session_wipe (HavenSession *self)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));

  destroy_contents (self);
  self->wiped = TRUE;

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LANGUAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CATEGORY]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SUBMISSION_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REPORT_STATE]);
  g_signal_emit (self, signals[WIPED], 0);
}

HavenSubmissionState
haven_session_get_report_state (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), HAVEN_SUBMISSION_NONE);

  return self->report_state;
}

const char *
haven_session_get_report_reference (HavenSession *self)
{
  g_return_val_if_fail (HAVEN_IS_SESSION (self), NULL);

  return self->report_reference;
}

/**
 * haven_session_set_report:
 * @reference: (nullable): the case reference, or the kiosk's
 *
 * Records what became of the report the visitor sent.
 */
void
haven_session_set_report (HavenSession         *self,
                          HavenSubmissionState  state,
                          const char           *reference)
{
  g_return_if_fail (HAVEN_IS_SESSION (self));

  if (self->report_state == state && g_strcmp0 (self->report_reference, reference) == 0)
    return;

  self->report_state = state;
  g_free (self->report_reference);
  self->report_reference = g_strdup (reference);
  self->wiped = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REPORT_STATE]);
}
