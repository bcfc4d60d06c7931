/* Prints the README's option section from the trainer's option table (make readme-options). */
#include "options.h"

int main(void)
{
    nn_options_markdown(stdout);
    return 0;
}
