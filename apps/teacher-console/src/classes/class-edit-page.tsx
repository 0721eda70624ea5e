// ICT: a new class (/manage-classes/new, POST /api/classes) or one class to change
// (/manage-classes/:classId, PATCH /api/classes/:id), with the form of class-form.tsx. After a
// save the list of classes is read again and ICT goes back to it.
import type { ClassDto } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router-dom';
import { api, apiQuery } from '../api/client';
import { ErrorMessage, Link, Page, StatusMessage } from '../ui';
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
  const save = useMutation({
    mutationFn: (body: ClassFormBody) =>
      classId
        ? api<ClassDto>(classPath(classId), { method: 'PATCH', body })
        : api<ClassDto>(CLASSES_PATH, { method: 'POST', body }),
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
          key={existing.data.id}
          initial={existing.data}
          onSave={(body) => save.mutate(body)}
          isSaving={save.isPending}
          error={save.error}
          saveLabel="Save class"
        />
      ) : existing.isPending ? (
        <StatusMessage>Loading the class…</StatusMessage>
      ) : (
        <ErrorMessage error={existing.error} title="Could not read the class." />
      )}
    </Page>
  );
}
