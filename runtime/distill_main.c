/* The entry point of a trainer with a distillation teacher linked in, built
 * by `make build SPEC=student TEACHER=teacher` (not part of libnnrt):
 * STUDENT/TEACHER name the generated models, *_HEADER their headers. Every
 * generated symbol carries its spec's name, so the two models link side by
 * side. */
#include STUDENT_HEADER
#include TEACHER_HEADER
#include "train.h"

int main(int argc, char **argv)
{
    const nn_model *const teachers[] = { &TEACHER };
    return nn_train_main_teachers(&STUDENT, teachers, 1, argc, argv);
}
