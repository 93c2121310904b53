import type { AgentTemplate } from './template.ts';

// English templates. Ids are fixed: clients store them (source_template_id) across releases.

const COMMON = {
  language: 'en',
  time_before_start: null,
  volume: 50,
  max_reminder_count: 3,
  reminder_frequency_ms: 7500,
  background_audio: null,
} as const;

const REMINDERS = ['Are you still there?', "Sorry, I didn't catch that. Could you say it again?"];

export const ENGLISH_TEMPLATES: AgentTemplate[] = [
  {
    id: '7cbd1f22-02f3-455a-a0af-0269287922cb',
    name: 'Clinic receptionist: appointments',
    language: 'en',
    description: 'Answers patient calls, books, moves and cancels appointments, and hands urgent cases to reception.',
    setup_guide_url: null,
    template: {
      ...COMMON,
      name: '<<clinic_name>> reception',
      description: 'Appointment line of <<clinic_name>>',
      prompt: [
        'You are the phone receptionist of <<clinic_name>>, a clinic at <<address>>.',
        'Opening hours: <<opening_hours>>. Specialties: <<specialties>>.',
        '',
        'Your job:',
        '1. Greet the caller and ask how you can help.',
        '2. To book: ask for full name, a contact number, the specialty and the preferred day and time of day. Read the details back to confirm them.',
        '3. To move or cancel: ask for full name and the date of the current appointment.',
        '4. If the patient describes something urgent (severe pain, trouble breathing, bleeding), use transfer_to_reception. For a life-threatening emergency, tell them to call the emergency number.',
        '5. Never give diagnoses or medical advice.',
        '6. When the request is done and the patient says goodbye, use end_call.',
        '',
        'Be polite and brief. Outside opening hours, offer to take a message so the clinic calls back.',
      ].join('\n'),
      greeting: 'Good morning, you have reached <<clinic_name>>. How can I help you?',
      reminder_messages: REMINDERS,
      call_tools: [
        {
          type: 'transfer_call',
          name: 'transfer_to_reception',
          target_number: '<<reception_phone>>',
          description: 'Transfer when the patient has an urgent problem or asks for a person',
          transfer_type: 'transfer',
        },
        { type: 'hang_up', name: 'end_call', description: 'Hang up when the request is done and the patient says goodbye' },
      ],
      dynamic_variables: {},
    },
    resource_placeholders: [
      {
        template_id: '68e45f90-428c-46bd-ac52-3359a6f2f8ac',
        type: 'knowledge_base',
        name: 'Prices and test preparation',
        description: 'Prices, accepted insurers and the instructions before each test',
        required: false,
      },
    ],
  },
  {
    id: 'b586ff7d-5997-455e-8854-40f77d1d22a7',
    name: 'Restaurant reservations',
    language: 'en',
    description: 'Takes, changes and cancels table bookings and answers questions about hours and the menu.',
    setup_guide_url: null,
    template: {
      ...COMMON,
      name: '<<restaurant_name>> bookings',
      description: 'Phone bookings of <<restaurant_name>>',
      prompt: [
        'You answer the booking line of <<restaurant_name>>.',
        'Opening hours: <<opening_hours>>. We take groups of up to <<max_party_size>>; for larger groups, take a note and say the manager will call back.',
        'Cancellation policy: <<cancellation_policy>>.',
        '',
        'To book, ask for: date, time, party size, name and phone number, and any allergies or special needs (high chair, accessibility).',
        'Always confirm the booking by reading all the details back.',
        'If asked about the menu or gluten-free or vegetarian options, answer briefly and generally.',
        'If the caller wants the manager, use transfer_to_manager. When done, say goodbye and use end_call.',
      ].join('\n'),
      greeting: 'Hello, <<restaurant_name>>. Would you like to book a table?',
      reminder_messages: REMINDERS,
      call_tools: [
        {
          type: 'transfer_call',
          name: 'transfer_to_manager',
          target_number: '<<manager_phone>>',
          description: 'Transfer when the caller asks for the manager or books for a large group',
          transfer_type: 'transfer',
        },
        { type: 'hang_up', name: 'end_call', description: 'Hang up after confirming the booking and saying goodbye' },
      ],
      dynamic_variables: {},
    },
    resource_placeholders: [
      {
        template_id: 'a0925abe-f689-4e26-93ec-6372423b2583',
        type: 'knowledge_base',
        name: 'Menu and allergens',
        description: "The restaurant's menu with the allergens of each dish",
        required: false,
      },
    ],
  },
  {
    id: 'fb5adef4-c813-4565-97e4-adadb5544cca',
    name: 'Customer support: issue triage',
    language: 'en',
    description: 'Collects issues, answers common questions and routes the ones that need a technician.',
    setup_guide_url: null,
    template: {
      ...COMMON,
      name: '<<company_name>> support',
      description: 'First-line support for <<product>>',
      prompt: [
        'You are the customer support agent of <<company_name>> for <<product>>.',
        'Technical team hours: <<support_hours>>.',
        '',
        'On every call:',
        '1. Identify the customer: name and customer number or email.',
        '2. Classify the issue: billing, fault or general question.',
        '3. Ask since when it happens and what they already tried. Suggest the basic steps (restart, check the connection) before escalating.',
        '4. If a fault is not solved or the customer is very upset, and the technical team is within hours, use transfer_to_support. Outside hours, summarise the issue and say a ticket will be opened.',
        '5. Before hanging up, summarise the issue in one sentence and confirm the contact number. Then use end_call.',
        '',
        'Do not promise deadlines or compensation. Known customer details: {{customer_name}}.',
      ].join('\n'),
      greeting: "Hi, this is <<company_name>>'s assistant. What can I help you with?",
      reminder_messages: REMINDERS,
      call_tools: [
        {
          type: 'transfer_call',
          name: 'transfer_to_support',
          target_number: '<<support_phone>>',
          description: 'Transfer unsolved faults to a technician within support hours',
          transfer_type: 'transfer',
        },
        { type: 'hang_up', name: 'end_call', description: 'Hang up after summarising the issue' },
      ],
      dynamic_variables: { customer_name: 'customer' },
    },
    resource_placeholders: [
      {
        template_id: '0d107780-bca3-4a36-acb2-cda4418ee9d2',
        type: 'knowledge_base',
        name: 'Frequently asked questions',
        description: 'Answers to the usual questions about the product',
        required: false,
      },
      {
        template_id: 'f529e4cc-2d67-49d0-baaa-cc8697719f2c',
        type: 'workflow',
        name: 'Create a ticket after the call',
        description: 'Opens a ticket in the support tool with the call summary',
        required: false,
      },
    ],
  },
];
