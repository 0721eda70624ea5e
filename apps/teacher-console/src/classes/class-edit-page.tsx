// ICT: a new class (/manage-classes/new, POST /api/classes) or one class to change
// (/manage-classes/:classId, PATCH /api/classes/:id), with the form of class-form.tsx. After a
// save the list of classes is read again and ICT goes back to it.
import { CLASS_UPDATE_REFUSALS, type ClassDto } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, apiQuery, conflictCodeOf } from '../api/client';
import { ChangedMeanwhileNotice, ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { ClassForm, type ClassFormBody } from './class-form';
import { CLASSES_PATH, classPath } from './class-live';

export default function ClassEditPage() {
  const { classId } = useParams();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const existing = useQuery({
    ...apiQuery<ClassDto>(classPath(classId ?? '')),
    enabled: classId !== undefined,
  });
  /** Bumped to fill the form again from the class as it is now (after a change meanwhile). */
  const [filling, setFilling] = useState(0);
  const save = useMutation({
    mutationFn: (body: ClassFormBody) =>
      classId
        ? api<ClassDto>(classPath(classId), { method: 'PATCH', body })
        : api<ClassDto>(CLASSES_PATH, { method: 'POST', body }),
    onError: (error) => {
      // Read it again, so "show the class as it is now" fills the form with their change.
      if (conflictCodeOf(error, CLASS_UPDATE_REFUSALS) === 'changed_meanwhile') {
        void queryClient.invalidateQueries({ queryKey: [classPath(classId ?? '')] });
      }
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData([classPath(saved.id)], saved);
      await queryClient.invalidateQueries({ queryKey: [CLASSES_PATH], exact: true });
      await navigate('/manage-classes');
    },
  });

  const title = classId ? (existing.data ? `Class: ${existing.data.name}` : 'Class') : 'New class';
  return (
    <Page title={title}>
      <p className="back-link">
        <Link href="/manage-classes">All classes</Link>
      </p>
      {classId === undefined ? (
        <ClassForm
          initial={null}
          onSave={(body) => save.mutate(body)}
          isSaving={save.isPending}
          error={save.error}
          saveLabel="Make class"
        />
      ) : existing.data ? (
        <ClassForm
          key={`${existing.data.id}-${filling}`}
          initial={existing.data}
          onSave={(body) => save.mutate(body)}
          isSaving={save.isPending}
          error={save.error}
          saveLabel="Save class"
          beforeSave={
            conflictCodeOf(save.error, CLASS_UPDATE_REFUSALS) === 'changed_meanwhile' ? (
              <ChangedMeanwhileNotice
                thing="this class"
                discardLabel="Discard mine and show the class as it is now"
                onDiscard={() => {
                  save.reset();
                  setFilling((n) => n + 1);
                }}
                isDisabled={existing.isFetching}
              />
            ) : null
          }
        />
      ) : existing.isPending ? (
        <StatusMessage>Loading the class…</StatusMessage>
      ) : (
        <ErrorMessage error={existing.error} title="Could not read the class." />
      )}
    </Page>
  );
}
