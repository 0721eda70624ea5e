// What the command queue asks of the classroom: which devices are a teacher's own tablets. The
// classroom module provides it (it imports this module, so the queue finds it through ModuleRef,
// as the devices module finds the queue's DeviceCommandsReader) and no two modules import each
// other.
import type { Tx } from '../database/transaction-runner';

/** The words of a teacher's refused command to a device that is not one of their tablets. */
export const TEACHER_COMMAND_REFUSAL =
  'Teachers can send commands only to the tablets of their own classes';

/** The words of a teacher's refused command to a group that reaches other devices too. */
export const TEACHER_GROUP_REFUSAL = `${TEACHER_COMMAND_REFUSAL}; this group also holds devices that are not`;

/** The words of a teacher's refused read of a device's commands. */
export const TEACHER_COMMANDS_READ_REFUSAL =
  'Teachers can see the commands only of the tablets of their own classes';

/**
 * A teacher's reach (issue 12: "a teacher acts only on their own classes (403 otherwise); ICT
 * acts on any"): the tablets of the classes they teach, as a class counts them (its group's
 * members and its named devices).
 */
export abstract class TeacherTablets {
  /**
   * Which of `deviceIds` are tablets of a class `staffId` teaches. Inside `tx`, what it read
   * holds until `tx` ends, so a command it allows is queued before any change of the classes'
   * teachers or tablets that would have refused it.
   */
  abstract taughtBy(staffId: string, deviceIds: readonly string[], tx?: Tx): Promise<Set<string>>;
}
