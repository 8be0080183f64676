/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory-import"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "haven-data-package.h"
#include "haven-directory-import-private.h"
#include "haven-directory-writer.h"
#include "haven-json-arena.h"
#include "haven-json-scanner.h"
#include "haven-record-mapper.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* Reads an HSDS 3.0 directory and writes the SQLite database the kiosk
 * searches. Three inputs are accepted:
 *  - a JSON array of dereferenced service records (each service with its
 *    organization, locations, areas, languages, phones, schedules and
 *    taxonomy terms inside it);
 *  - the HSDS API's Page object, whose "contents" is such an array;
 *  - a single service object, as GET /services/{id} answers, read as a
 *    directory of one;
 *  - a tabular data package: datapackage.json and the HSDS CSV files.
 *
 * A directory of 100,000 services is a JSON file of a few hundred MB, and
 * json-glib can only parse a whole document into a tree: that tree would
 * be several times the file. So the file is read in chunks and cut into
 * its records (haven-json-scanner.c), and each record is parsed on its
 * own into an arena (haven-json-arena.c). A data package is joined into
 * the same records (haven-data-package.c), and every record is checked
 * and mapped the same way (haven-record-mapper.c).
 *
 * The database is written to a new file beside the old one and renamed
 * over it only when complete, so a failed import leaves the directory the
 * kiosk uses as it was. The rename is the commit point, which is why the
 * new file is written without a journal and synced once at the end
 * (haven-directory-writer.c).
 *
 * What makes a directory unusable (input that cannot be read, a service
 * without id or name, two services with one id, a broken package) is a
 * problem, and any problem refuses the whole directory. Anything else
 * wrong in a service is a warning: the part that cannot be used is left
 * out and the service kept, because one odd record must not keep a
 * city's update from its kiosks. A strict import makes every warning a
 * problem, for organisations that want all or nothing. */
struct _HavenDirectoryImporter
{
  GObject parent_instance;

  char *source_path;
  /* What the database records as its source, when not the file: the
   * address a sync pulled it from. */
  char *source_name;
  char *database_path;
  GPtrArray *problems;
  GPtrArray *warnings;
  guint n_warnings;
  gboolean strict;

  guint n_services;
  guint n_organizations;
  guint n_skipped;
  double seconds;
};

G_DEFINE_FINAL_TYPE (HavenDirectoryImporter, haven_directory_importer, G_TYPE_OBJECT)

static void
haven_directory_importer_finalize (GObject *object)
{
  HavenDirectoryImporter *self = HAVEN_DIRECTORY_IMPORTER (object);

  g_free (self->source_path);
  g_free (self->source_name);
  g_free (self->database_path);
  g_ptr_array_unref (self->problems);
  g_ptr_array_unref (self->warnings);

  G_OBJECT_CLASS (haven_directory_importer_parent_class)->finalize (object);
}

static void
haven_directory_importer_class_init (HavenDirectoryImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_directory_importer_finalize;
}

static void
haven_directory_importer_init (HavenDirectoryImporter *self)
{
  self->problems = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/**
 * haven_directory_importer_new:
 * @source_path: an HSDS JSON file, a datapackage.json or the folder of one
 * @database_path: the directory database to replace
 */
HavenDirectoryImporter *
haven_directory_importer_new (const char *source_path,
                              const char *database_path)
{
  HavenDirectoryImporter *self;

  g_return_val_if_fail (source_path != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_DIRECTORY_IMPORTER, NULL);
  self->source_path = g_strdup (source_path);
  self->database_path = g_strdup (database_path);

  return self;
}

/**
 * haven_directory_importer_set_source_name:
 * @source_name: (nullable): what the database names as its source
 *
 * By default the database records the file it was imported from; a sync
 * that imports what it pulled names the address it pulled from instead.
 */
void
haven_directory_importer_set_source_name (HavenDirectoryImporter *self,
                                          const char             *source_name)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self));

  g_free (self->source_name);
  self->source_name = g_strdup (source_name);
}

guint
haven_import_n_problems (Import *import)
{
  guint n;

  g_mutex_lock (&import->problems_lock);
  n = import->self->problems->len;
  g_mutex_unlock (&import->problems_lock);

  return n;
}

gboolean
haven_import_too_many_problems (Import *import)
{
  return haven_import_n_problems (import) >= HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS;
}

void
haven_import_add_problem (Import     *import,
                          const char *message)
{
  g_mutex_lock (&import->problems_lock);
  if (import->self->problems->len < HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS)
    g_ptr_array_add (import->self->problems, g_strdup (message));
  g_mutex_unlock (&import->problems_lock);
}

static char *format_at (const char *file,
                        guint       line,
                        const char *format,
                        va_list     args) G_GNUC_PRINTF (3, 0);

static char *
format_at (const char *file,
           guint       line,
           const char *format,
           va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  if (line > 0)
    return g_strdup_printf ("%s:%u: %s", file, line, message);
  else
    return g_strdup_printf ("%s: %s", file, message);
}

void
haven_import_file_problem (Import     *import,
                           const char *file,
                           guint       line,
                           const char *format,
                           ...)
{
  g_autofree char *full = NULL;
  va_list args;

  va_start (args, format);
  full = format_at (file, line, format, args);
  va_end (args);

  haven_import_add_problem (import, full);
}

/* A part of a service that is left out, the service kept; in a strict
 * import, a problem like any other. */
void
haven_import_add_warning (Import     *import,
                          const char *message)
{
  HavenDirectoryImporter *self = import->self;

  if (self->strict)
    {
      haven_import_add_problem (import, message);
      return;
    }

  g_mutex_lock (&import->problems_lock);
  self->n_warnings++;
  if (self->warnings->len < HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS)
    g_ptr_array_add (self->warnings, g_strdup (message));
  g_mutex_unlock (&import->problems_lock);
}

void
haven_import_file_warning (Import     *import,
                           const char *file,
                           guint       line,
                           const char *format,
                           ...)
{
  g_autofree char *full = NULL;
  va_list args;

  va_start (args, format);
  full = format_at (file, line, format, args);
  va_end (args);

  haven_import_add_warning (import, full);
}

/* A JSON directory is read and checked in a thread of its own while this
 * one writes the database: on a machine with two cores, that is most of
 * the difference between a 100,000-service import taking 9 s or 5 s. */
typedef struct {
  Import *import;
  GFile *file;
  const char *label;
  GError *error;
  gboolean ok;
} JsonJob;

static gpointer
json_worker (gpointer data)
{
  JsonJob *job = data;

  job->ok = haven_json_scanner_import (job->import, job->file, job->label, &job->error);

  return NULL;
}

static gboolean
import_json_in_thread (Import      *import,
                       GFile       *file,
                       const char  *label,
                       GError     **error)
{
  JsonJob job = { import, file, label, NULL, FALSE };

  haven_directory_writer_store_beside (import->writer, json_worker, &job);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }

  return job.ok;
}

static void
import_init (Import                 *import,
             HavenDirectoryImporter *self,
             GCancellable           *cancellable)
{
  import->self = self;
  import->cancellable = cancellable;
  import->format = "json";
  import->service_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    import->fts[i] = g_string_sized_new (1024);
  import->details = g_string_sized_new (4096);
  import->scratch = g_string_sized_new (256);
  import->record_regions = g_ptr_array_new_with_free_func (g_free);
  import->record_languages = g_ptr_array_new_with_free_func (g_free);
  import->record_terms = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&import->problems_lock);
  haven_arena_init (&import->arena);
  import->stack = g_ptr_array_new ();
  import->json_scratch = g_string_new (NULL);
}

static void
import_clear (Import *import)
{
  g_clear_pointer (&import->writer, haven_directory_writer_free);
  g_clear_pointer (&import->service_ids, g_hash_table_unref);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    {
      if (import->fts[i] != NULL)
        g_string_free (import->fts[i], TRUE);
    }
  if (import->details != NULL)
    g_string_free (import->details, TRUE);
  if (import->scratch != NULL)
    g_string_free (import->scratch, TRUE);
  g_clear_pointer (&import->record_regions, g_ptr_array_unref);
  g_clear_pointer (&import->record_languages, g_ptr_array_unref);
  g_clear_pointer (&import->record_terms, g_ptr_array_unref);
  g_mutex_clear (&import->problems_lock);
  haven_arena_clear (&import->arena);
  g_clear_pointer (&import->stack, g_ptr_array_unref);
  if (import->json_scratch != NULL)
    g_string_free (import->json_scratch, TRUE);
}

static char *
describe_problems (HavenDirectoryImporter *self,
                   const char             *label)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->problems->len >= HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS)
    g_string_append_printf (text,
                            ngettext ("%s is not a valid HSDS directory; stopped after %u problem:",
                                      "%s is not a valid HSDS directory; stopped after %u problems:",
                                      self->problems->len),
                            label, self->problems->len);
  else
    g_string_append_printf (text, ngettext ("%s is not a valid HSDS directory (%u problem):",
                                            "%s is not a valid HSDS directory (%u problems):",
                                            self->problems->len),
                            label, self->problems->len);

  for (guint i = 0; i < self->problems->len; i++)
    {
      g_string_append (text, "\n  ");
      g_string_append (text, g_ptr_array_index (self->problems, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A new, empty file for the database beside @database_path, in @folder,
 * which is made when missing. */
static char *
make_temporary (const char  *database_path,
                const char  *folder,
                GError     **error)
{
  g_autofree char *temporary = NULL;
  int fd;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The folder %s cannot be made: %s"), folder, g_strerror (saved_errno));
      return NULL;
    }

  /* Beside the target, so the rename never crosses file systems. */
  temporary = g_strconcat (database_path, ".new-XXXXXX", NULL);
  fd = g_mkstemp_full (temporary, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("A new directory database cannot be made in %s: %s"), folder,
                   g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  return g_steal_pointer (&temporary);
}

/* Reads the source into the database at @temporary; the problems in the
 * input are kept in self->problems, not in @error. */
static gboolean
read_source (Import      *import,
             const char  *temporary,
             const char  *source_path,
             const char  *label,
             GTimer      *timer,
             GError     **error)
{
  HavenDirectoryImporter *self = import->self;
  gboolean ok;

  import->writer = haven_directory_writer_new (temporary, timer, error);
  if (import->writer == NULL)
    return FALSE;

  if (g_str_has_suffix (source_path, "datapackage.json"))
    {
      /* Beside the new database: where there is room for it, there is
       * room for the package's rows. */
      g_autofree char *store = g_strconcat (temporary, "-join", NULL);

      ok = haven_data_package_import (import, source_path, store, error);
    }
  else
    {
      g_autoptr(GFile) source_file = g_file_new_for_path (source_path);

      ok = import_json_in_thread (import, source_file, label, error);
    }

  self->n_skipped = import->n_skipped;
  self->n_services = haven_directory_writer_get_n_services (import->writer);
  self->n_organizations = haven_directory_writer_get_n_organizations (import->writer);
  return ok;
}

/**
 * haven_directory_importer_run:
 *
 * Imports the directory. On %HAVEN_DIRECTORY_ERROR_INVALID_INPUT the
 * message lists the problems, one a line (also in
 * haven_directory_importer_get_problems()), and the old database is left
 * as it was. Parts of services that were left out are listed by
 * haven_directory_importer_get_warnings(), unless the import is strict.
 */
gboolean
haven_directory_importer_run (HavenDirectoryImporter  *self,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_autoptr(GFile) source = NULL;
  g_autofree char *source_path = NULL;
  g_autofree char *label = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *temporary = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GError) local_error = NULL;
  Import import = { 0 };
  gboolean ok;

  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_ptr_array_set_size (self->problems, 0);
  g_ptr_array_set_size (self->warnings, 0);
  self->n_warnings = 0;
  self->n_services = self->n_organizations = self->n_skipped = 0;

  source = g_file_new_for_commandline_arg (self->source_path);
  source_path = g_file_get_path (source);
  if (g_file_test (source_path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *package_path = g_build_filename (source_path, "datapackage.json", NULL);

      g_free (source_path);
      source_path = g_steal_pointer (&package_path);
    }
  label = g_path_get_basename (source_path);

  if (!g_file_test (source_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("%s does not exist or is not a file"), source_path);
      return FALSE;
    }

  folder = g_path_get_dirname (self->database_path);
  temporary = make_temporary (self->database_path, folder, error);
  if (temporary == NULL)
    return FALSE;

  import_init (&import, self, cancellable);
  ok = read_source (&import, temporary, source_path, label, timer, &local_error);

  if (ok && !g_cancellable_set_error_if_cancelled (cancellable, &local_error) &&
      self->problems->len == 0 && self->n_services == 0)
    haven_import_file_problem (&import, label, 0, _("the directory holds no active services"));

  if (ok && local_error == NULL && self->problems->len > 0)
    {
      g_autofree char *description = describe_problems (self, label);

      g_set_error_literal (&local_error, HAVEN_DIRECTORY_ERROR,
                           HAVEN_DIRECTORY_ERROR_INVALID_INPUT, description);
    }

  if (local_error == NULL && haven_directory_writer_get_failure (import.writer) != NULL)
    g_set_error (&local_error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                 _("The directory database cannot be written: %s"),
                 haven_directory_writer_get_failure (import.writer));

  if (local_error == NULL)
    ok = haven_directory_writer_finish (import.writer,
                                        self->source_name != NULL ? self->source_name : source_path,
                                        import.format, &local_error);

  import_clear (&import);

  if (local_error == NULL && ok)
    haven_directory_writer_replace (temporary, self->database_path, folder, &local_error);

  if (local_error != NULL)
    {
      g_unlink (temporary);
      self->n_services = 0;
      self->n_organizations = 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->seconds = g_timer_elapsed (timer, NULL);
  g_debug ("Imported %u services in %.2f s", self->n_services, self->seconds);
  return TRUE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (haven_directory_importer_run (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * haven_directory_importer_run_async:
 *
 * Imports in a worker thread, for the kiosk's "reload directory".
 */
void
haven_directory_importer_run_async (HavenDirectoryImporter *self,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_directory_importer_run_async);
  g_task_run_in_thread (task, run_thread);
}

gboolean
haven_directory_importer_run_finish (HavenDirectoryImporter  *self,
                                     GAsyncResult            *result,
                                     GError                 **error)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_directory_importer_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
haven_directory_importer_get_n_services (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_services;
}

guint
haven_directory_importer_get_n_organizations (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_organizations;
}

/**
 * haven_directory_importer_get_n_skipped:
 *
 * Returns: how many services were left out because their status is
 *   inactive or defunct
 */
guint
haven_directory_importer_get_n_skipped (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_skipped;
}

double
haven_directory_importer_get_seconds (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->seconds;
}

/**
 * haven_directory_importer_get_problems:
 *
 * Returns: (transfer none): what was wrong with the input in the last run
 */
/* A NULL-terminated array of strings as a strv; an empty GPtrArray may
 * have no storage at all. */
static const char * const *
as_strv (GPtrArray *lines)
{
  static const char *const none[] = { NULL };

  return lines->pdata != NULL ? (const char * const *) lines->pdata : none;
}

const char * const *
haven_directory_importer_get_problems (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), NULL);

  return as_strv (self->problems);
}

/**
 * haven_directory_importer_set_strict:
 * @strict: whether a part of a service that cannot be used refuses the
 *   whole directory
 *
 * By default an import keeps a service whose schedule, language code,
 * phone or other part cannot be used, without that part, and lists it in
 * haven_directory_importer_get_warnings(). A strict import refuses the
 * directory instead, as it does for a problem that makes it unusable.
 */
void
haven_directory_importer_set_strict (HavenDirectoryImporter *self,
                                     gboolean                strict)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self));

  self->strict = !!strict;
}

gboolean
haven_directory_importer_get_strict (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), FALSE);

  return self->strict;
}

/**
 * haven_directory_importer_get_warnings:
 *
 * Each line names the file, the line, the service and the part left out
 * ("services.csv:3: service “svc-1”: …"). Only the first
 * %HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS are kept; see
 * haven_directory_importer_get_n_warnings() for how many there were.
 *
 * Returns: (transfer none): the parts of services the last run left out
 */
const char * const *
haven_directory_importer_get_warnings (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), NULL);

  return as_strv (self->warnings);
}

/**
 * haven_directory_importer_get_n_warnings:
 *
 * Returns: how many parts of services the last run left out, including
 *   those whose lines were not kept
 */
guint
haven_directory_importer_get_n_warnings (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_warnings;
}
