"""The Spanish translation of the demo consent document (v1) and its questions: a version of
its own that renders the English source version (README "Languages"). Fictional clinic text."""

from __future__ import annotations

DEMO_TITLE_ES = "Consentimiento para el tratamiento con ketamina y esketamina"

DEMO_BODY_ES = """\
Este documento explica el tratamiento para la depresión que le ofrece Harbour Light Clinic (una
clínica ficticia de demostración, "la clínica" en adelante). Léalo completo, por favor.
Pregúntenos cualquier cosa que no esté clara antes de firmar: un profesional clínico lo
revisará con usted con mucho gusto. Firmar significa que acepta empezar; no significa que deba
continuar.

## Qué es el tratamiento y cómo se administra

La ketamina es un medicamento que se usó primero como anestésico. En dosis mucho más bajas
puede aliviar una depresión que no ha mejorado con otros tratamientos, a menudo en horas o
días. La clínica la administra de una de estas formas, que su médico elige con usted y anota en
su plan:

- **Infusión intravenosa**: una dosis pequeña por un gotero en el brazo, normalmente durante
  unos 40 minutos (un ciclo habitual es de seis sesiones en dos o tres semanas);
- **Inyección intramuscular**: una dosis inyectada en un músculo;
- **Esketamina en aerosol nasal** (Spravato): usted mismo se aplica el aerosol bajo
  supervisión, 56 u 84 mg por sesión, siguiendo las normas de seguridad del programa;
- **Ketamina oral o sublingual**, en algunos casos.

**Uso fuera de indicación.** La esketamina en aerosol nasal está aprobada para la depresión
resistente al tratamiento. La ketamina en infusión, inyección o por boca **no está aprobada**
para la depresión: se usa "fuera de indicación", según la evidencia de estudios publicados y el
criterio del médico. Sus efectos a largo plazo sobre la depresión están menos estudiados, y
algunas aseguradoras no la cubren.

Todas las sesiones se realizan en la clínica. Una enfermera le toma la presión arterial antes
de la dosis, unos 40 minutos después y hasta que se encuentre bien para marcharse. Después de
la esketamina permanecerá al menos dos horas.

## Beneficios esperados

Muchas personas notan que su ánimo mejora y que la desesperanza disminuye tras unas pocas
sesiones. El efecto puede desaparecer, por lo que algunas personas necesitan más sesiones (de
mantenimiento). No todo el mundo responde: medimos cómo se encuentra con un cuestionario breve
(PHQ-9) y revisamos el plan con usted.

## Riesgos y efectos secundarios

La mayoría de los efectos secundarios empiezan durante la dosis y desaparecen en una o dos
horas. Avise enseguida a la enfermera si se encuentra mal. Entre ellos:

- sentirse desconectado, como en un sueño o "fuera del cuerpo" (disociación), o percibir las
  cosas de forma distinta;
- mareo, somnolencia y sedación;
- náuseas y vómitos (le pedimos que no coma durante las dos horas previas a una sesión);
- aumento de la presión arterial y de la frecuencia cardíaca (vigilamos ambas y podemos
  aplazar una sesión si su presión arterial es alta);
- dolor de cabeza y visión borrosa.

Los riesgos menos frecuentes se describen en las secciones siguientes: embarazo, pensamientos
suicidas, dependencia y uso indebido, y la vejiga.

## Embarazo y lactancia

La ketamina y la esketamina pueden dañar al bebé antes de nacer y pasan a la leche materna. No
reciba este tratamiento si está embarazada, puede estarlo o está dando el pecho. Si puede
quedar embarazada, use un anticonceptivo eficaz durante el ciclo y avise a la enfermera antes
de cada sesión si algo ha cambiado: se lo preguntamos cada vez y, si la respuesta es
desconocida, el médico decide antes de cualquier dosis.

## Pensamientos suicidas y cómo los vigilamos

La propia depresión conlleva un riesgo de pensamientos suicidas, y el ánimo puede cambiar
deprisa al comenzar un tratamiento nuevo. Preguntamos por pensamientos suicidas en su
evaluación, antes de las sesiones y en el cuestionario semanal. Una respuesta preocupante se
muestra de inmediato a un médico, que decide con usted si continuar, hacer una pausa o
derivarle a otra atención. Díganoslo, o llame al número de emergencias indicado abajo, si
aparecen o empeoran esos pensamientos.

## Dependencia y uso indebido

La ketamina puede usarse de forma indebida y, si se toma a menudo, puede causar dependencia.
Por eso cada dosis se administra y se vigila en la clínica, nunca se lleva ninguna a casa, y le
preguntamos por otros medicamentos y sustancias. Díganos si alguna vez ha tenido problemas con
el alcohol o las drogas.

## Efectos en la vejiga con el uso repetido

El uso frecuente y prolongado de ketamina puede irritar y dañar la vejiga (necesidad de orinar
a menudo o con urgencia, dolor o sangre en la orina). Las dosis del tratamiento son mucho más
bajas, pero avísenos enseguida de cualquiera de estos síntomas: haremos una pausa y
revisaremos el tratamiento.

## No conducir, y un acompañante para volver a casa

**No conduzca, no monte en bicicleta ni maneje maquinaria hasta el día siguiente, después de
una noche completa de sueño.** **Una persona adulta debe llevarle a casa después de cada
sesión.** No le daremos el alta si va solo. No tome decisiones importantes el día de una
sesión.

## Alternativas

No está obligado a recibir este tratamiento. Otras opciones son otros medicamentos
antidepresivos, la psicoterapia, la terapia electroconvulsiva (TEC) y otros tratamientos de
estimulación cerebral. Su médico puede explicarle cómo se comparan en su caso.

## Costes y seguro

Su plan de tratamiento indica el coste del ciclo previsto antes de empezar. El seguro a menudo
no cubre el tratamiento con ketamina (la esketamina a veces sí); consulte con su aseguradora.
Solo paga las sesiones a las que asiste.

## Su derecho a retirarse

Puede retirar su consentimiento en cualquier momento, antes o durante el ciclo, sin dar
explicaciones y sin perder ninguna otra atención. Dígaselo a cualquier miembro del personal o
use "Retirar mi consentimiento" en su página. Una vez que se retire no recibirá más
tratamiento.

## A quién contactar

- Preguntas sobre el tratamiento o este documento: las enfermeras de la clínica, los días
  laborables de 8:00 a 18:00, por teléfono al +1 555 0100 o por correo electrónico a
  care@harbourlight.example (el correo que le trajo aquí procede de una dirección que no
  recibe respuestas).
- Después de una sesión, si se encuentra mal: la línea de guardia de la clínica (impresa en su
  hoja de alta).
- En una emergencia, o si tiene pensamientos de hacerse daño: llame ahora a su número local de
  emergencias.

Esta clínica y todos los nombres de esta demostración son ficticios.
"""

DEMO_QUESTIONS_ES = (
    (
        "Después de una sesión, ¿cuándo puede volver a conducir?",
        "Justo después de la sesión si me encuentro bien\n"
        "Al día siguiente, después de una noche completa de sueño\n"
        "Después de una hora",
        2,
        "No conducir, y un acompañante para volver a casa",
    ),
    (
        "¿Cómo vuelve a casa después de una sesión?",
        "Una persona adulta me lleva a casa\nEn autobús, solo\nConduzco yo mismo",
        1,
        "No conducir, y un acompañante para volver a casa",
    ),
    (
        "¿Puede dejar el tratamiento después de firmar?",
        "No, firmar me obliga a hacer todo el ciclo\n"
        "Sí, en cualquier momento, sin perder otra atención\n"
        "Solo con el permiso del médico",
        2,
        "Su derecho a retirarse",
    ),
)
